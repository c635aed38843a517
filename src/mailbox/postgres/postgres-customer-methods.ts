import { mergeCustomerHistory } from "../core/customer-history.js";
import { type CustomerActivity, customersByActivity } from "../core/customers-by-activity.js";
import { type CustomerAddressRow, type CustomerRow, toCustomerRecord } from "../customer-rows.js";
import {
  type CustomerAddress,
  type CustomerRecord,
  customerLimits,
  type MailboxCustomers,
} from "../mailbox-customers.js";
import type { HistoryEntry } from "../mailbox-store.js";
import { toConversation } from "../sqlite-rows.js";
import {
  likePattern,
  newCustomerId,
  validateCustomerAddress,
  validateCustomerConversation,
  validateCustomerId,
  validateCustomerLimit,
  validateCustomerSearch,
  validateLinkSource,
} from "../validate-customer-input.js";
import { createWriteBatcher } from "../write-batcher.js";
import { conversationRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";

/** A transaction's client or the store's connection: both run one parameterised statement. */
interface Queryable {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

/** Runs `build` (validation) and rejects with what it throws instead of throwing. */
function guarded<T>(build: () => Promise<T>): Promise<T> {
  try {
    return build();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Address lookups of `customerByAddress` in flight at once (each is one statement). */
const addressReadsInFlight = 4;

/** `customersByActivity` rows as PostgreSQL returns them (`double precision` as numbers). */
const activities = (rows: readonly Record<string, unknown>[]): CustomerActivity[] =>
  rows.map((row) => ({ customerId: String(row.customerId), at: Number(row.at) }));

const addressKey = (kind: string, value: string) => `${kind}\u0000${value}`;

/** A customer row with its addresses as JSON (`customerWithAddresses`), or null for none. */
function customerFrom(raw: unknown): CustomerRecord | null {
  if (raw === undefined) return null;
  const { addresses, ...row } = raw as CustomerRow & { addresses: CustomerAddressRow[] };
  return toCustomerRecord(row, addresses);
}

/**
 * Customers (see `MailboxCustomers`); `histories` reads several conversations' histories at
 * once (`postgres-histories.ts`).
 */
export function postgresCustomerMethods(
  context: PostgresStoreContext,
  histories: (sids: readonly string[], limit: number) => Promise<Map<string, HistoryEntry[]>>,
): MailboxCustomers {
  const { connection, sql, settings, write, read } = context;
  const { now, defaultPolicy } = settings;

  const readCustomers = async (
    client: Queryable,
    rows: readonly CustomerRow[],
  ): Promise<CustomerRecord[]> => {
    if (rows.length === 0) return [];
    const addresses = (
      await client.query(sql.customerAddresses, [rows.map((row) => row.customer_id)])
    ).rows as CustomerAddressRow[];
    return rows.map((row) =>
      toCustomerRecord(
        row,
        addresses.filter((address) => address.customer_id === row.customer_id),
      ),
    );
  };
  const readCustomer = async (client: Queryable, customerId: string) =>
    customerFrom((await client.query(sql.customerWithAddresses, [customerId])).rows[0]);
  const ownerOf = async (client: Queryable, kind: string, value: string) =>
    (
      (await client.query(sql.addressOwner, [kind, value])).rows[0] as
        | { customer_id: string }
        | undefined
    )?.customer_id;
  /** Locks the customers' rows in id order (no deadlock); answers the ids that exist. */
  const lock = async (client: Queryable, ids: readonly string[]) =>
    new Set(
      ((await client.query(sql.lockCustomers, [[...ids]])).rows as { customer_id: string }[]).map(
        (row) => row.customer_id,
      ),
    );
  const conversationsOf = async (customerId: string, limit: number) =>
    (await connection.query(sql.customerConversations, [customerId, limit])).rows.map((raw) =>
      toConversation(conversationRowFrom(raw), defaultPolicy),
    );

  // Every customer message reads its address's customer on arrival (and its same-number
  // sibling's on first contact), so under load this is a round trip per webhook, two on a
  // first contact. Lookups asked in the same loop turn share one `unnest` query instead: a
  // read still starts after every write that resolved before it was asked, so it sees them.
  const byAddress = createWriteBatcher<CustomerAddress, CustomerRecord | null>(
    async (lookups) => {
      const rows = (
        await connection.query(sql.customersByAddresses, [
          lookups.map((lookup) => lookup.kind),
          lookups.map((lookup) => lookup.value),
        ])
      ).rows as (Record<string, unknown> & { looked_kind: string; looked_value: string })[];
      const found = new Map<string, unknown>();
      for (const { looked_kind, looked_value, ...row } of rows)
        found.set(addressKey(looked_kind, looked_value), row);
      // Each caller gets its own copy: records are mutable objects.
      return lookups.map((lookup) => ({
        ok: true as const,
        value: customerFrom(found.get(addressKey(lookup.kind, lookup.value))),
      }));
    },
    { windowMs: 0, maxBatch: 500, concurrency: addressReadsInFlight },
  );

  // First contacts of one loop turn make their customers in one statement (`ensureCustomers`,
  // each address decided as alone); null for one that lost a race to a concurrent first
  // contact. One statement, so in autocommit; repeating it is harmless (the address then has
  // its owner), so a lost connection is retried like a read.
  const ensures = createWriteBatcher<
    { kind: string; value: string; source: string },
    CustomerRecord | null
  >(
    async (asked) => {
      const { rows } = await connection.query(sql.ensureCustomers, [
        asked.map((ask) => ask.kind),
        asked.map((ask) => ask.value),
        asked.map(() => newCustomerId()),
        asked.map((ask) => ask.source),
        now(),
      ]);
      const byPosition = new Map<number, unknown>();
      for (const { position, ...row } of rows as ({ position: string } & Record<string, unknown>)[])
        byPosition.set(Number(position), row);
      // WITH ORDINALITY counts from 1.
      return asked.map((_, index) => ({
        ok: true as const,
        value: customerFrom(byPosition.get(index + 1)),
      }));
    },
    { windowMs: 0, maxBatch: 200, concurrency: addressReadsInFlight },
  );

  return {
    ensureCustomer(address, source = "first-contact") {
      return guarded(() => {
        const { kind, value } = validateCustomerAddress(address);
        const checkedSource = validateLinkSource(source);
        return read(async () => {
          const made = await ensures.run({ kind, value, source: checkedSource });
          if (made !== null) return made;
          // A concurrent first contact won the address after the statement began: read its
          // owner; should it be unlinked meanwhile, try alone (repeating is harmless).
          for (let attempt = 0; ; attempt++) {
            const owner = await byAddress.run({ kind, value });
            if (owner !== null) return owner;
            const raw = (
              await connection.query(sql.ensureCustomerOnce, [
                kind,
                value,
                newCustomerId(),
                checkedSource,
                now(),
              ])
            ).rows[0];
            if (raw !== undefined) return customerFrom(raw)!;
            if (attempt >= 2)
              throw new Error(`could not make a customer for a ${kind} address: it keeps changing`);
          }
        });
      });
    },

    linkAddress(customerId, address, source) {
      return guarded(() => {
        const id = validateCustomerId(customerId);
        const { kind, value } = validateCustomerAddress(address);
        const checkedSource = validateLinkSource(source);
        return write(async (client) => {
          if (!(await lock(client, [id])).has(id))
            return { linked: false, reason: "unknown-customer" } as const;
          await client.query(sql.insertAddress, [kind, value, id, checkedSource, now()]);
          const owner = (await ownerOf(client, kind, value))!;
          if (owner !== id)
            return { linked: false, reason: "other-customer", ownerId: owner } as const;
          return { linked: true, customer: (await readCustomer(client, id))! } as const;
        });
      });
    },

    unlinkAddress(address) {
      return guarded(() => {
        const { kind, value } = validateCustomerAddress(address);
        return write(
          async (client) => (await client.query(sql.deleteAddress, [kind, value])).rowCount === 1,
        );
      });
    },

    mergeCustomers(intoId, fromId) {
      return guarded(() => {
        const into = validateCustomerId(intoId, "intoId");
        const from = validateCustomerId(fromId, "fromId");
        return write(async (client) => {
          const present = await lock(client, [into, from]);
          if (!present.has(into) || !present.has(from)) return null;
          const target = (await readCustomer(client, into))!;
          if (into === from) return target;
          const source = (await readCustomer(client, from))!;
          await client.query(sql.moveAddresses, [into, from]);
          if (target.handoff === null && source.handoff !== null)
            await client.query(sql.setCustomerHandoff, [
              source.handoff.conversationSid,
              source.handoff.since,
              into,
            ]);
          await client.query(sql.deleteCustomerRow, [from]);
          return (await readCustomer(client, into))!;
        });
      });
    },

    setCustomerHandoff(customerId, holder) {
      return guarded(() => {
        const id = validateCustomerId(customerId);
        const conversationSid =
          holder === null
            ? null
            : validateCustomerConversation(holder?.conversationSid, "holder.conversationSid");
        return write(async (client) => {
          const since = conversationSid === null ? null : now();
          const updated = await client.query(sql.setCustomerHandoff, [conversationSid, since, id]);
          return updated.rowCount === 1;
        });
      });
    },

    deleteCustomer(customerId) {
      return guarded(() => {
        const id = validateCustomerId(customerId);
        return write(async (client) => {
          if (!(await lock(client, [id])).has(id)) return null;
          const sids = (
            (await client.query(sql.customerConversationSids, [id])).rows as {
              conversation_sid: string;
            }[]
          ).map((row) => row.conversation_sid);
          const messages = (await client.query(sql.eraseMessages, [sids])).rowCount ?? 0;
          const outbox = (await client.query(sql.eraseOutbox, [sids])).rowCount ?? 0;
          await client.query(sql.eraseDeliveries, [sids]);
          await client.query(sql.eraseJournal, [sids]);
          await client.query(sql.eraseHandoffNotes, [sids]);
          await client.query(sql.eraseTranscripts, [sids]);
          await client.query(sql.eraseDeadLetters, [sids]);
          await client.query(sql.eraseConversations, [sids]);
          const consent = (await client.query(sql.deleteCustomerConsent, [id])).rowCount ?? 0;
          const addresses = (await client.query(sql.deleteCustomerAddresses, [id])).rowCount ?? 0;
          await client.query(sql.deleteCustomerRow, [id]);
          return {
            customerId: id,
            addresses,
            conversations: sids.length,
            messages: messages + outbox,
            consent,
          };
        });
      });
    },

    customer(customerId) {
      return read(async () => readCustomer(connection, validateCustomerId(customerId)));
    },

    customerByAddress(address) {
      return read(async () => byAddress.run(validateCustomerAddress(address)));
    },

    customerOfConversation(conversationSid) {
      return read(async () => {
        const sid = validateCustomerConversation(conversationSid);
        return customerFrom((await connection.query(sql.conversationCustomer, [sid])).rows[0]);
      });
    },

    customerConversations(customerId, options = {}) {
      return read(async () => {
        const id = validateCustomerId(customerId);
        const limit = validateCustomerLimit(
          options.limit,
          customerLimits.listDefault,
          customerLimits.listMax,
        );
        return conversationsOf(id, limit);
      });
    },

    customerHistory(customerId, options = {}) {
      return read(async () => {
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
        const conversations = (
          await conversationsOf(id, customerLimits.historyConversations)
        ).filter((conversation) => conversation.conversationSid !== except);
        const entries = await histories(
          conversations.map((conversation) => conversation.conversationSid),
          limit,
        );
        return mergeCustomerHistory(
          conversations.map((conversation) => ({
            conversation,
            entries: entries.get(conversation.conversationSid) ?? [],
          })),
          limit,
        );
      });
    },

    listCustomers(options = {}) {
      return read(async () => {
        const limit = validateCustomerLimit(
          options.limit,
          customerLimits.listDefault,
          customerLimits.listMax,
        );
        const search = validateCustomerSearch(options.search);
        if (search === null) {
          const listed = await customersByActivity(
            {
              cutoff: async (window) => {
                const [row] = (await connection.query(sql.activityCutoff, [window])).rows as {
                  at: number;
                }[];
                return row === undefined ? null : Number(row.at);
              },
              activeSince: async (since) =>
                activities((await connection.query(sql.activeCustomersSince, [since])).rows),
              quietSince: async (since, most) =>
                activities((await connection.query(sql.quietCustomersSince, [since, most])).rows),
            },
            limit,
          );
          const records = new Map(
            (
              await readCustomers(
                connection,
                (
                  await connection.query(sql.customerRows, [
                    listed.map((customer) => customer.customerId),
                  ])
                ).rows as unknown as CustomerRow[],
              )
            ).map((record) => [record.customerId, record]),
          );
          return listed.flatMap(({ customerId, at }) => {
            const record = records.get(customerId);
            return record === undefined ? [] : [{ ...record, lastActivityAt: at }];
          });
        }
        const rows = (
          await connection.query(sql.searchCustomers, [search, likePattern(search), limit])
        ).rows as unknown as (CustomerRow & { last_activity_at: number | string })[];
        const records = await readCustomers(connection, rows);
        return records.map((record, position) => ({
          ...record,
          lastActivityAt: Number(rows[position]!.last_activity_at),
        }));
      });
    },
  };
}
