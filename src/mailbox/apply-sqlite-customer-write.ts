import { type CustomerAddressRow, type CustomerRow, toCustomerRecord } from "./customer-rows.js";
import type { CustomerRecord } from "./mailbox-customers.js";
import type { SqliteStatements } from "./sqlite-statements.js";
import type { SqliteWrite, SqliteWriteResults } from "./sqlite-write.js";

/** What a customer handler gets: the statements and the store time. */
interface CustomerContext {
  statements: SqliteStatements;
  at: number;
}

type Write<Kind extends SqliteWrite["kind"]> = Extract<SqliteWrite, { kind: Kind }>;

/** The customer with its addresses, read with the given statements; undefined if unknown. */
export function readSqliteCustomer(
  statements: SqliteStatements,
  customerId: string,
): CustomerRecord | undefined {
  const row = statements.customerRow.get(customerId) as CustomerRow | undefined;
  if (row === undefined) return undefined;
  return toCustomerRecord(
    row,
    statements.customerAddresses.all(customerId) as CustomerAddressRow[],
  );
}

const ownerOf = (statements: SqliteStatements, kind: string, value: string) =>
  (statements.addressOwner.get(kind, value) as { customer_id: string } | undefined)?.customer_id;

/** The SQLite store's customer writes, spread into its handler table (see `MailboxCustomers`). */
export const sqliteCustomerHandlers = {
  ensureCustomer(
    { statements, at }: CustomerContext,
    { address, source, newId }: Write<"ensureCustomer">,
  ): SqliteWriteResults["ensureCustomer"] {
    const owner = ownerOf(statements, address.kind, address.value);
    if (owner !== undefined) return readSqliteCustomer(statements, owner)!;
    statements.insertCustomer.run(newId, at);
    statements.insertAddress.run(address.kind, address.value, newId, source, at);
    return readSqliteCustomer(statements, newId)!;
  },

  linkAddress(
    { statements, at }: CustomerContext,
    { customerId, address, source }: Write<"linkAddress">,
  ): SqliteWriteResults["linkAddress"] {
    if (statements.customerRow.get(customerId) === undefined)
      return { linked: false, reason: "unknown-customer" };
    const owner = ownerOf(statements, address.kind, address.value);
    if (owner !== undefined && owner !== customerId)
      return { linked: false, reason: "other-customer", ownerId: owner };
    if (owner === undefined)
      statements.insertAddress.run(address.kind, address.value, customerId, source, at);
    return { linked: true, customer: readSqliteCustomer(statements, customerId)! };
  },

  unlinkAddress(
    { statements }: CustomerContext,
    { address }: Write<"unlinkAddress">,
  ): SqliteWriteResults["unlinkAddress"] {
    return statements.deleteAddress.run(address.kind, address.value).changes === 1;
  },

  mergeCustomers(
    { statements }: CustomerContext,
    { intoId, fromId }: Write<"mergeCustomers">,
  ): SqliteWriteResults["mergeCustomers"] {
    const into = readSqliteCustomer(statements, intoId);
    const from = readSqliteCustomer(statements, fromId);
    if (into === undefined || from === undefined) return null;
    if (intoId === fromId) return into;
    statements.moveAddresses.run(intoId, fromId);
    if (into.handoff === null && from.handoff !== null)
      statements.setCustomerHandoff.run(from.handoff.conversationSid, from.handoff.since, intoId);
    statements.deleteCustomerRow.run(fromId);
    return readSqliteCustomer(statements, intoId)!;
  },

  setCustomerHandoff(
    { statements, at }: CustomerContext,
    { customerId, conversationSid }: Write<"setCustomerHandoff">,
  ): SqliteWriteResults["setCustomerHandoff"] {
    const since = conversationSid === null ? null : at;
    return statements.setCustomerHandoff.run(conversationSid, since, customerId).changes === 1;
  },

  deleteCustomer(
    { statements }: CustomerContext,
    { customerId }: Write<"deleteCustomer">,
  ): SqliteWriteResults["deleteCustomer"] {
    const customer = readSqliteCustomer(statements, customerId);
    if (customer === undefined) return null;
    const sids = (
      statements.customerConversationSids.all(customerId) as { conversation_sid: string }[]
    ).map((row) => row.conversation_sid);
    let messages = 0;
    for (const sid of sids) {
      messages += statements.eraseMessages.run(sid).changes;
      messages += statements.eraseOutbox.run(sid).changes;
      statements.eraseDeliveries.run(sid);
      statements.eraseJournal.run(sid);
      statements.eraseHandoffNote.run(sid);
      statements.eraseTranscripts.run(sid);
      statements.eraseDeadLetters.run(sid);
      statements.eraseConversation.run(sid);
    }
    const consent = statements.deleteCustomerConsent.run(customerId).changes;
    const addresses = statements.deleteCustomerAddresses.run(customerId).changes;
    statements.deleteCustomerRow.run(customerId);
    return { customerId, addresses, conversations: sids.length, messages, consent };
  },
};
