import { ConfigError } from "../../errors.js";
import { MailboxClosedError } from "../mailbox-errors.js";
import type { MailboxOptions, MailboxStore } from "../mailbox-store.js";
import { createNoticeHub } from "../notice-hub.js";
import { resolveMailboxOptions } from "../validate-mailbox-input.js";
import { defaultInstanceLivenessMs } from "./instance-liveness.js";
import { type PostgresConnectionOptions, planPostgresPool } from "./open-postgres-pool.js";
import { type OpenedPostgresStore, openPostgresStore } from "./open-postgres-store.js";
import { defaultPostgresSchema, validateSchemaName } from "./postgres-schema.js";

/** Options of `postgresMailbox`: the shared mailbox options, a connection, and these. */
export type PostgresMailboxOptions = MailboxOptions &
  PostgresConnectionOptions & {
    /**
     * The schema holding the mailbox tables, created if missing. Default `switchboard`. Several
     * mailboxes (or test runs) can share one database with different schemas.
     */
    schema?: string;
    /**
     * Apply pending migrations on start (default true). False for operators who run
     * `switchboard migrate` (`migratePostgres`) separately: the store then refuses to start
     * unless the schema is exactly at the version this code expects.
     */
    migrate?: boolean;
    /**
     * Extra time an ingest waits for others to share its commit. Default 0: ingests arriving
     * while a commit is in flight (or in the same event-loop turn) already share the next one.
     */
    groupCommitWindowMs?: number;
    /**
     * How long this instance counts as alive after its last liveness write (renewed every
     * third of it). Default 3000 ms. When an instance dies (`kill -9`, a lost machine), the
     * others release its turn and send leases within about this long plus a third, instead of
     * waiting out each lease. Lower detects death sooner; an instance whose event loop stalls
     * longer than this loses its leases (fencing keeps that safe). 300 to 600000.
     */
    instanceLivenessMs?: number;
    /**
     * Send the mailbox's statements as named prepared statements (default true): each
     * connection parses and plans a statement once instead of on every call. False behind a
     * pooler that does not carry prepared statements across its server connections (PgBouncer
     * in transaction mode before 1.21, or without `max_prepared_statements`).
     */
    preparedStatements?: boolean;
  };

/** The PostgreSQL mailbox: a `MailboxStore` whose `start` connects and migrates. */
export interface PostgresMailbox extends MailboxStore {
  /**
   * Connects, checks the server, migrates the schema (or checks its version with
   * `migrate: false`) and starts listening for other processes' notices. Idempotent; every
   * other method does it on first use, so call it to fail early: `createSwitchboard` does at
   * `start()`. Rejects with `MailboxOpenError` naming host, port and database (never the
   * password); the next call tries again.
   */
  start(): Promise<void>;
}

type Opened = OpenedPostgresStore;
type Method = Exclude<keyof Opened, "close">;

/**
 * The scale-out mailbox on PostgreSQL ≥ 14: the same semantics as `sqliteMailbox`, shared by
 * any number of processes. Conversation rows are leased with `SELECT … FOR UPDATE SKIP LOCKED`,
 * concurrent ingests share one transaction (group commit), dedupe keys are a unique table, and
 * commits that create work `NOTIFY` every process's `onWork` listeners (workers still poll as
 * a backstop). Each instance keeps a liveness row; the leases of one that died are released
 * by the others within seconds (`instanceLivenessMs`). A lost connection is survived: statements and transactions that certainly did
 * not commit are retried on a new connection. All time comes from the injected clock.
 *
 * Synchronous like `sqliteMailbox`: options are checked here (a `ConfigError` names the
 * option), and the database is opened by `start()` or the first call, so
 * `createSwitchboard({ mailbox: postgresMailbox({ … }) })` works as it does for SQLite.
 */
export function postgresMailbox(options: PostgresMailboxOptions): PostgresMailbox {
  const settings = resolveMailboxOptions(options);
  const schema = validateSchemaName(options.schema ?? defaultPostgresSchema);
  const groupCommitWindowMs = options.groupCommitWindowMs ?? 0;
  if (
    !Number.isSafeInteger(groupCommitWindowMs) ||
    groupCommitWindowMs < 0 ||
    groupCommitWindowMs > 1_000
  )
    throw new ConfigError(
      "groupCommitWindowMs",
      "groupCommitWindowMs must be an integer from 0 to 1000 (ms): it delays every webhook's 200.",
    );
  const instanceLivenessMs = options.instanceLivenessMs ?? defaultInstanceLivenessMs;
  if (
    !Number.isSafeInteger(instanceLivenessMs) ||
    instanceLivenessMs < 300 ||
    instanceLivenessMs > 600_000
  )
    throw new ConfigError(
      "instanceLivenessMs",
      "instanceLivenessMs must be an integer from 300 to 600000 (ms): how long an instance counts as alive without renewing.",
    );
  const plan = planPostgresPool(options);
  const hub = createNoticeHub();
  let opening: Promise<Opened> | undefined;
  let closed = false;

  const open = (): Promise<Opened> => {
    if (closed) return Promise.reject(new MailboxClosedError());
    if (opening === undefined) {
      const attempt = openPostgresStore({
        plan,
        schema,
        migrate: options.migrate !== false,
        settings,
        groupCommitWindowMs,
        instanceLivenessMs,
        preparedStatements: options.preparedStatements !== false,
        hub,
      });
      opening = attempt;
      // A failed open is not kept: the next call (or `start`) tries again.
      attempt.catch(() => {
        if (opening === attempt) opening = undefined;
      });
    }
    return opening;
  };

  /** A method that opens the store first; calls after `close` reject with `MailboxClosedError`. */
  const opened =
    <Name extends Method>(name: Name) =>
    (...args: Parameters<Opened[Name]>): ReturnType<Opened[Name]> =>
      open().then((store) => {
        if (closed) throw new MailboxClosedError();
        return (store[name] as (...given: Parameters<Opened[Name]>) => unknown)(...args);
      }) as ReturnType<Opened[Name]>;

  return {
    async start() {
      await open();
    },
    ingest: opened("ingest"),
    claim: opened("claim"),
    heartbeat: opened("heartbeat"),
    release: opened("release"),
    complete: opened("complete"),
    fail: opened("fail"),
    noteHandoff: opened("noteHandoff"),
    handoffNote: opened("handoffNote"),
    noteHandoffReleased: opened("noteHandoffReleased"),
    waitingForPerson: opened("waitingForPerson"),
    journalGet: opened("journalGet"),
    journalRecord: opened("journalRecord"),
    deadLetters: opened("deadLetters"),
    stats: opened("stats"),
    retryDeadLetter: opened("retryDeadLetter"),
    skipDeadLetter: opened("skipDeadLetter"),
    claimOutbox: opened("claimOutbox"),
    settleOutbox: opened("settleOutbox"),
    enqueueReply: opened("enqueueReply"),
    history: opened("history"),
    turnContext: opened("turnContext"),
    conversation: opened("conversation"),
    setPolicy: opened("setPolicy"),
    setHandoff: opened("setHandoff"),
    markGone: opened("markGone"),
    lastIndex: opened("lastIndex"),
    indexGap: opened("indexGap"),
    activeConversations: opened("activeConversations"),
    knownConversations: opened("knownConversations"),
    startSendAttempt: opened("startSendAttempt"),
    getMeta: opened("getMeta"),
    setMeta: opened("setMeta"),
    collectGarbage: opened("collectGarbage"),
    saveTranscripts: opened("saveTranscripts"),
    transcripts: opened("transcripts"),
    recordDelivery: opened("recordDelivery"),
    deliveries: opened("deliveries"),
    setConsent: opened("setConsent"),
    consent: opened("consent"),
    ensureCustomer: opened("ensureCustomer"),
    linkAddress: opened("linkAddress"),
    unlinkAddress: opened("unlinkAddress"),
    mergeCustomers: opened("mergeCustomers"),
    customer: opened("customer"),
    customerByAddress: opened("customerByAddress"),
    customerOfConversation: opened("customerOfConversation"),
    customerConversations: opened("customerConversations"),
    customerHistory: opened("customerHistory"),
    listCustomers: opened("listCustomers"),
    setCustomerHandoff: opened("setCustomerHandoff"),
    deleteCustomer: opened("deleteCustomer"),
    recordInboundDeadLetter: opened("recordInboundDeadLetter"),
    inboundDeadLetters: opened("inboundDeadLetters"),
    withLock: (name, work) => open().then((store) => store.withLock(name, work)),
    publish: opened("publish"),
    onWork: (listener) => hub.onWork(listener),
    subscribe: (channel, listener) => hub.subscribe(channel, listener),

    async close() {
      if (closed) return;
      closed = true;
      const store = await opening?.catch(() => undefined);
      // Writes already accepted are committed before the connections go.
      await store?.close();
      hub.clear();
    },
  };
}
