import { readSqliteCustomer } from "./apply-sqlite-customer-write.js";
import { mergeCustomerHistory } from "./core/customer-history.js";
import { type CustomerActivity, customersByActivity } from "./core/customers-by-activity.js";
import { type CustomerAddressRow, type CustomerRow, toCustomerRecord } from "./customer-rows.js";
import { type CustomerRecord, customerLimits, type MailboxCustomers } from "./mailbox-customers.js";
import type { MailboxStore, TurnPolicy } from "./mailbox-store.js";
import { type ConversationRow, toConversation } from "./sqlite-rows.js";
import type { SqliteStatements } from "./sqlite-statements.js";
import type { SqliteWrite, SqliteWriteResults } from "./sqlite-write.js";
import {
  likePattern,
  newCustomerId,
  validateCustomerAddress,
  validateCustomerConversation,
  validateCustomerId,
  validateCustomerLimit,
  validateCustomerSearch,
  validateLinkSource,
} from "./validate-customer-input.js";

/** What the SQLite customer methods need from their store. */
export interface SqliteCustomerContext {
  statements: SqliteStatements;
  defaultPolicy: TurnPolicy;
  ensureOpen(): void;
  write<Kind extends SqliteWrite["kind"]>(
    request: Extract<SqliteWrite, { kind: Kind }>,
  ): Promise<SqliteWriteResults[Kind]>;
  history: MailboxStore["history"];
}

/** Runs `build` (validation) and rejects with what it throws instead of throwing. */
function guarded<T>(build: () => Promise<T>): Promise<T> {
  try {
    return build();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Addresses whose customer is remembered at most (the most recently read). */
export const rememberedCustomerAddresses = 4_096;

/**
 * A copy for the caller: the remembered record is shared, and a caller may change what it
 * is given.
 */
const copyOf = (customer: CustomerRecord): CustomerRecord => ({
  ...customer,
  addresses: customer.addresses.map((address) => ({ ...address })),
  handoff: customer.handoff === null ? null : { ...customer.handoff },
});

/** The customer methods of the SQLite mailbox: writes through its queue, reads on this thread. */
export function sqliteCustomerMethods(context: SqliteCustomerContext): MailboxCustomers {
  const { statements, defaultPolicy, ensureOpen } = context;
  // Every customer message reads its address's customer before it is stored: three
  // statements, the largest read of the webhook path. Customer rows change only through the
  // six customer writes below (this store is the file's only owner, and no other write
  // touches the customer tables), so what was read stays true until one of them: each
  // forgets everything when issued and again when it settles (a read in between may have
  // seen the state before its commit). Bounded, most recent first out last.
  const byAddress = new Map<string, CustomerRecord | null>();
  const write: SqliteCustomerContext["write"] = (request) => {
    byAddress.clear();
    return context.write(request).finally(() => byAddress.clear());
  };
  const remember = (key: string, customer: CustomerRecord | null) => {
    byAddress.set(key, customer);
    if (byAddress.size > rememberedCustomerAddresses)
      for (const oldest of byAddress.keys()) {
        byAddress.delete(oldest);
        break;
      }
  };

  const conversationsOf = (customerId: string, limit: number) =>
    (statements.customerConversations.all(customerId, limit) as ConversationRow[]).map((row) =>
      toConversation(row, defaultPolicy),
    );

  return {
    ensureCustomer(address, source = "first-contact") {
      return guarded(() =>
        write({
          kind: "ensureCustomer",
          address: validateCustomerAddress(address),
          source: validateLinkSource(source),
          newId: newCustomerId(),
        }),
      );
    },

    linkAddress(customerId, address, source) {
      return guarded(() =>
        write({
          kind: "linkAddress",
          customerId: validateCustomerId(customerId),
          address: validateCustomerAddress(address),
          source: validateLinkSource(source),
        }),
      );
    },

    unlinkAddress(address) {
      return guarded(() =>
        write({ kind: "unlinkAddress", address: validateCustomerAddress(address) }),
      );
    },

    mergeCustomers(intoId, fromId) {
      return guarded(() =>
        write({
          kind: "mergeCustomers",
          intoId: validateCustomerId(intoId, "intoId"),
          fromId: validateCustomerId(fromId, "fromId"),
        }),
      );
    },

    setCustomerHandoff(customerId, holder) {
      return guarded(() =>
        write({
          kind: "setCustomerHandoff",
          customerId: validateCustomerId(customerId),
          conversationSid:
            holder === null
              ? null
              : validateCustomerConversation(holder?.conversationSid, "holder.conversationSid"),
        }),
      );
    },

    deleteCustomer(customerId) {
      return guarded(() =>
        write({ kind: "deleteCustomer", customerId: validateCustomerId(customerId) }),
      );
    },

    async customer(customerId) {
      ensureOpen();
      return readSqliteCustomer(statements, validateCustomerId(customerId)) ?? null;
    },

    async customerByAddress(address) {
      ensureOpen();
      const { kind, value } = validateCustomerAddress(address);
      const key = `${kind}\u0000${value}`;
      const known = byAddress.get(key);
      if (known !== undefined) return known === null ? null : copyOf(known);
      const owner = statements.addressOwner.get(kind, value) as { customer_id: string } | undefined;
      const customer =
        owner === undefined ? null : (readSqliteCustomer(statements, owner.customer_id) ?? null);
      remember(key, customer);
      return customer === null ? null : copyOf(customer);
    },

    async customerOfConversation(conversationSid) {
      ensureOpen();
      const owner = statements.conversationOwner.get(
        validateCustomerConversation(conversationSid),
      ) as { customer_id: string } | undefined;
      return owner === undefined
        ? null
        : (readSqliteCustomer(statements, owner.customer_id) ?? null);
    },

    async customerConversations(customerId, options = {}) {
      ensureOpen();
      const limit = validateCustomerLimit(
        options.limit,
        customerLimits.listDefault,
        customerLimits.listMax,
      );
      return conversationsOf(validateCustomerId(customerId), limit);
    },

    async customerHistory(customerId, options = {}) {
      ensureOpen();
      const id = validateCustomerId(customerId);
      const limit = validateCustomerLimit(
        options.limit,
        customerLimits.historyDefault,
        customerLimits.historyMax,
      );
      const except =
        options.exceptConversationSid === undefined
          ? undefined
          : validateCustomerConversation(options.exceptConversationSid, "exceptConversationSid");
      const conversations = conversationsOf(id, customerLimits.historyConversations).filter(
        (conversation) => conversation.conversationSid !== except,
      );
      const histories = [];
      for (const conversation of conversations)
        histories.push({
          conversation,
          entries: await context.history(conversation.conversationSid, { limit }),
        });
      return mergeCustomerHistory(histories, limit);
    },

    async listCustomers(options = {}) {
      ensureOpen();
      const limit = validateCustomerLimit(
        options.limit,
        customerLimits.listDefault,
        customerLimits.listMax,
      );
      const search = validateCustomerSearch(options.search);
      if (search === null) {
        const listed = await customersByActivity(
          {
            cutoff: async (window) =>
              (statements.activityCutoff.get(window) as { at: number } | undefined)?.at ?? null,
            activeSince: async (since) =>
              statements.activeCustomersSince.all(since) as CustomerActivity[],
            quietSince: async (since, most) =>
              statements.quietCustomersSince.all(since, most) as CustomerActivity[],
          },
          limit,
        );
        return listed.flatMap(({ customerId, at }) => {
          const customer = readSqliteCustomer(statements, customerId);
          return customer === undefined ? [] : [{ ...customer, lastActivityAt: Number(at) }];
        });
      }
      const rows = statements.searchCustomers.all({
        search,
        pattern: likePattern(search),
        limit,
      }) as (CustomerRow & { last_activity_at: number })[];
      return rows.map((row) => ({
        ...toCustomerRecord(
          row,
          statements.customerAddresses.all(row.customer_id) as CustomerAddressRow[],
        ),
        lastActivityAt: Number(row.last_activity_at),
      }));
    },
  };
}
