import { randomUUID } from "node:crypto";
import { MailboxInputError } from "../mailbox-errors.js";
import type { MailboxStore, WorkNotice } from "../mailbox-store.js";
import { maxPublishBytes } from "../mailbox-store.js";
import { type NoticeHub, validateChannelName } from "../notice-hub.js";
import { type ResolvedMailboxOptions, validateInboundMessage } from "../validate-mailbox-input.js";
import { createWriteBatcher } from "../write-batcher.js";
import { withAdvisoryLock } from "./advisory-lock.js";
import { createIngestBatch } from "./ingest-batch.js";
import { startInstanceLiveness } from "./instance-liveness.js";
import type { PostgresPoolPlan } from "./open-postgres-pool.js";
import { createPostgresConnection } from "./postgres-connection.js";
import { postgresConversationMethods } from "./postgres-conversation-methods.js";
import { postgresCustomerMethods } from "./postgres-customer-methods.js";
import { postgresHistories } from "./postgres-histories.js";
import { postgresInboundDeadLetterMethods } from "./postgres-inbound-dead-letters.js";
import { postgresJournalMethods } from "./postgres-journal-methods.js";
import { postgresLedgerMethods } from "./postgres-ledger-methods.js";
import { openNoticeChannel } from "./postgres-notices.js";
import { postgresOutboxMethods } from "./postgres-outbox-methods.js";
import { openMigratedPool } from "./postgres-schema.js";
import { postgresStatements } from "./postgres-statements.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";
import { postgresTurnContext } from "./postgres-turn-context.js";
import { postgresTurnMethods } from "./postgres-turn-methods.js";
import { registerPreparedStatements } from "./prepared-statements.js";
import { assertStorableText, isStorableText } from "./storable-text.js";

const maxIngestBatch = 200;
/** How long other instances' wake-ups wait to share one NOTIFY. */
const hintWindowMs = 10;
/**
 * Ingest batches committing at once: a third of the pool, at most 3. Each holds a connection
 * for one round trip, so a few in flight overlap one batch's commit (fsync) with the next
 * one's work while the workers keep connections of their own.
 */
const ingestConcurrency = (poolMax: number) => Math.max(1, Math.min(3, Math.floor(poolMax / 3)));

/** The store's methods once connected, minus what the factory keeps itself. */
export type OpenedPostgresStore = Required<Omit<MailboxStore, "onWork" | "subscribe" | "start">>;

/** What opening needs: validated options, the schema, and this process's notice hub. */
export interface PostgresStoreSettings {
  plan: PostgresPoolPlan;
  schema: string;
  migrate: boolean;
  settings: ResolvedMailboxOptions;
  groupCommitWindowMs: number;
  /** How long this instance counts as alive after its last liveness write. */
  instanceLivenessMs: number;
  /** Send the statements as named prepared statements (see `prepared-statements.ts`). */
  preparedStatements: boolean;
  hub: NoticeHub;
}

/**
 * Connects, migrates (or checks the schema version), starts listening for other processes'
 * notices, and composes the method groups over one connection. Rejects with `MailboxOpenError`
 * naming host, port and database (never the password) when the database cannot be used.
 */
export async function openPostgresStore(
  options: PostgresStoreSettings,
): Promise<OpenedPostgresStore> {
  const { schema, settings, hub } = options;
  const opened = await openMigratedPool(options.plan, schema, options.migrate);
  const connection = createPostgresConnection(opened.pool, opened.target, opened.ownsPool);
  const sql = postgresStatements(schema);
  if (options.preparedStatements) registerPreparedStatements(Object.values(sql));
  const instanceId = randomUUID();
  const notices = openNoticeChannel(opened.clientConfig, schema, sql, hub, instanceId);
  let liveness: Awaited<ReturnType<typeof startInstanceLiveness>>;
  try {
    await notices.listener.ready;
    liveness = await startInstanceLiveness({
      connection,
      sql,
      instanceId,
      now: settings.now,
      livenessMs: options.instanceLivenessMs,
      announce: (notice) => hub.emit(notice),
    });
  } catch (error) {
    await notices.listener.close().catch(() => {});
    await connection.end().catch(() => {});
    throw error;
  }
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const forget = () => running.delete(work);
    work.then(forget, forget);
    return work;
  };

  // Other processes' wake-ups for committed writes, sent after the commit instead of inside
  // the transaction: a transaction is then BEGIN, its statements and COMMIT, and the hints of
  // the writes committing within `hintWindowMs` share one NOTIFY. A hint lost to a crash between
  // commit and NOTIFY costs the other instances one poll interval, nothing more: hints are
  // never the only way work is found. Live events published meanwhile (`publish`) go in the
  // same statement: each reply made a hint and a publication, two NOTIFY round trips, and
  // every NOTIFY takes the server's notification-queue lock and wakes every listener. Each
  // publication is delivered here once its NOTIFY is sent, in order.
  const notifies = createWriteBatcher<
    { hints: WorkNotice[] } | { channel: string; payload: string },
    void
  >(
    async (items) => {
      const hinted: WorkNotice[] = [];
      const published: { channel: string; payload: string }[] = [];
      for (const item of items)
        if ("hints" in item) hinted.push(...item.hints);
        else published.push(item);
      const work = hinted.length === 0 ? [] : notices.workPayloads(hinted);
      const events = published.length === 0 ? [] : notices.publications(published);
      await connection.query(sql.notifyMany, [
        [...work.map(() => notices.workChannel), ...events.map(() => notices.eventChannel)],
        [...work, ...events],
      ]);
      for (const item of published) hub.deliver(item.channel, item.payload);
      return items.map(() => ({ ok: true as const, value: undefined }));
    },
    // Local workers were woken at once; other instances can wait a few ms for their hint so
    // the writes of a busy moment share it.
    { windowMs: hintWindowMs },
  );
  const context: PostgresStoreContext = {
    connection,
    sql,
    settings,
    instanceId,
    write(work, transactionOptions = { idempotent: true }) {
      let written: WorkNotice[] = [];
      return track(
        (async () => {
          const value = await connection.transaction(async (client) => {
            written = [];
            return work(client, written);
          }, transactionOptions);
          for (const notice of written) hub.emit(notice);
          if (written.length > 0) void notifies.run({ hints: written }).catch(() => {});
          return value;
        })(),
      );
    },
    read: (work) => track(work()),
  };

  const ingestBatch = createIngestBatch({
    connection,
    sql,
    now: settings.now,
    settleWindowMs: settings.settleWindowMs,
    defaultPolicy: settings.defaultPolicy,
    notifyIn: notices.notifyIn,
    notifyChannel: notices.workChannel,
    instanceId,
    concurrency: ingestConcurrency(opened.pool.options.max ?? 10),
    announce({ notice, delayMs }) {
      if (delayMs === undefined) hub.emit(notice);
      else hub.emitLater(notice, delayMs);
    },
    windowMs: options.groupCommitWindowMs,
    maxBatch: maxIngestBatch,
  });
  const conversationMethods = postgresConversationMethods(context);
  return {
    ingest(message) {
      try {
        validateInboundMessage(message);
        for (const field of [
          "conversationSid",
          "serviceSid",
          "messageSid",
          "idempotencyToken",
          "customerAddress",
          "proxyAddress",
        ] as const)
          assertStorableText(field, message[field]);
      } catch (error) {
        return Promise.reject(error);
      }
      return track(ingestBatch.run(message));
    },
    ...postgresTurnMethods(context),
    ...postgresOutboxMethods(context),
    ...conversationMethods,
    ...postgresCustomerMethods(context, postgresHistories(context)),
    ...postgresLedgerMethods(context),
    ...postgresInboundDeadLetterMethods(context),
    ...postgresJournalMethods(context),
    ...postgresTurnContext(context),

    withLock(name, work) {
      try {
        validateChannelName("name", name);
      } catch (error) {
        return Promise.reject(error);
      }
      return track(withAdvisoryLock(connection.pool, `switchboard:${schema}:lock:${name}`, work));
    },

    publish(name, payload) {
      try {
        validateChannelName("channel", name);
        if (typeof payload !== "string" || !isStorableText(payload))
          throw new MailboxInputError(
            "payload",
            "payload: must be a string without NUL characters",
          );
        if (Buffer.byteLength(payload) > maxPublishBytes)
          throw new MailboxInputError(
            "payload",
            `payload: at most ${maxPublishBytes} bytes (PostgreSQL NOTIFY limit); publish an id and read the rest`,
          );
      } catch (error) {
        return Promise.reject(error);
      }
      return track(notifies.run({ channel: name, payload }));
    },

    async close() {
      await ingestBatch.drain();
      await Promise.allSettled([...running]);
      // The hints of the writes just settled, and the last live events.
      await notifies.drain().catch(() => {});
      // Lapsing at once lets the other instances take over at their next tick whatever this
      // one still holds (a runtime releases its leases before closing the mailbox).
      await liveness.stop().catch(() => {});
      await notices.listener.close();
      await connection.end();
    },
  };
}
