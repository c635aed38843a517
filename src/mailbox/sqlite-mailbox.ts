// Over 400 lines on purpose: the MailboxStore methods over one SQLite file; the rules are in
// core/, the SQL in sqlite-statements.ts, the writes in apply-sqlite-write.ts.
import { resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { composeTurnContext } from "./compose-turn-context.js";
import { mergeHistory } from "./core/history-order.js";
import {
  type ConsentRow,
  type DeliveryRow,
  deliveriesLimit,
  toConsentRecord,
  toDeliveryRecord,
} from "./ledger-rows.js";
import { MailboxClosedError, MailboxInputError } from "./mailbox-errors.js";
import type {
  ConsentRecord,
  DeadLetter,
  HandoffNote,
  Lease,
  MailboxOptions,
  MailboxStore,
  StoredTranscript,
  WaitingConversation,
} from "./mailbox-store.js";
import { createNoticeHub } from "./notice-hub.js";
import { openSqliteDatabase } from "./open-sqlite-database.js";
import { turnIdOfReply } from "./reply-id.js";
import { sqliteCustomerMethods } from "./sqlite-customer-methods.js";
import { claimSqliteOwnership, releaseDeadOwnerLeases } from "./sqlite-ownership.js";
import {
  type ConversationRow,
  type MessageRow,
  type OutboxRow,
  serialiseReply,
  toConversation,
  toDeadLetter,
} from "./sqlite-rows.js";
import { prepareSqliteStatements } from "./sqlite-statements.js";
import type {
  AppliedWrite,
  CommittedNotice,
  LeaseKey,
  SqliteWrite,
  SqliteWriteResults,
  SqliteWriteSettings,
} from "./sqlite-write.js";
import { inThreadSqliteWriter } from "./sqlite-writer.js";
import { startSqliteWriterThread } from "./sqlite-writer-thread.js";
import {
  type InboundDeadLetterRow,
  inboundDeadLetterListLimit,
  toInboundDeadLetter,
  validateInboundDeadLetter,
} from "./validate-inbound-dead-letter.js";
import {
  type StorableJournalStep,
  validateHandoffNote,
  validateJournalStep,
  validateWaitingLimit,
} from "./validate-journal-step.js";
import {
  validateAddress,
  validateConsentChange,
  validateDeliveryUpdate,
  validateLedgerConversation,
} from "./validate-ledger-input.js";
import {
  mailboxLimits,
  resolveMailboxOptions,
  validateActiveQuery,
  validateClaim,
  validateDeadLetterLimit,
  validateEnqueuedReply,
  validateGone,
  validateHistoryLimit,
  validateInboundMessage,
  validateIndexRange,
  validateOutboxResult,
  validatePolicy,
  validateReplies,
  validateTranscripts,
} from "./validate-mailbox-input.js";
import { createWriteBatcher } from "./write-batcher.js";

/** Options of `sqliteMailbox`. */
export interface SqliteMailboxOptions extends MailboxOptions {
  /** The database file; its folder is created if missing. `:memory:` for throwaway use. */
  path: string;
  /**
   * Extra time a write waits for others to share its commit. Default 0: writes issued in the
   * same event-loop turn, or while the previous commit is under way, share one commit, which
   * already groups concurrent webhooks.
   */
  groupCommitWindowMs?: number;
  /**
   * Commit on a `node:worker_threads` thread with its own connection (default `true`), so
   * the fsync of each commit does not block the event loop that parses webhooks. `false`
   * commits on the calling thread; `:memory:` always does (a second connection would see
   * another database).
   */
  writerThread?: boolean;
}

/** Addresses whose consent answer is remembered at most. */
const rememberedConsentAddresses = 4_096;

const leaseKey = (lease: Lease): LeaseKey => ({
  conversationSid: lease.conversationSid,
  leaseVersion: lease.leaseVersion,
  workerId: lease.workerId,
});

/**
 * The embedded mailbox: one SQLite file in WAL mode with `synchronous=FULL`, so a resolved
 * write has been fsynced. All writes of this process go through one group-commit queue and
 * are committed by a writer thread with its own connection, while reads run on the calling
 * thread (WAL readers see every committed write and never wait for the writer). The store
 * that opens the file owns it: a second live owner (another process, or another store in
 * this one) is refused with `MailboxOpenError`, and the leases a dead owner left are released
 * at open, so a restart after `kill -9` resumes its turns and sends at once.
 * Throws `MailboxOpenError` when the file cannot be created, opened, migrated or owned.
 */
export function sqliteMailbox(options: SqliteMailboxOptions): MailboxStore {
  const resolved = resolveMailboxOptions(options);
  const { now, defaultPolicy } = resolved;
  const windowMs = options.groupCommitWindowMs ?? 0;
  if (!Number.isSafeInteger(windowMs) || windowMs < 0 || windowMs > 1_000)
    throw new ConfigError(
      "groupCommitWindowMs",
      "groupCommitWindowMs must be an integer from 0 to 1000 (ms): it delays every webhook's 200.",
    );
  const database = openSqliteDatabase(options.path);
  // One live owner per file (a throwaway `:memory:` database has no one to share with). The
  // owner hands back at once the leases of the process that had the file before.
  let ownership: { release(): void } | undefined;
  if (options.path !== ":memory:") {
    try {
      ownership = claimSqliteOwnership(resolve(options.path), database);
      releaseDeadOwnerLeases(database, now());
    } catch (error) {
      ownership?.release();
      database.close();
      throw error;
    }
  }
  const settings: SqliteWriteSettings = {
    settleWindowMs: resolved.settleWindowMs,
    maxAttempts: resolved.maxAttempts,
    defaultPolicy: resolved.defaultPolicy,
    dedupeRetentionMs: resolved.dedupeRetentionMs,
  };
  const onThisThread = () => inThreadSqliteWriter(database, settings);
  const writer =
    options.path === ":memory:" || options.writerThread === false
      ? onThisThread()
      : startSqliteWriterThread(resolve(options.path), settings, (reason) => {
          // Still correct, but every fsync now blocks the event loop: say so, once, where
          // an operator looks (a mailbox has no logger of its own).
          process.emitWarning(
            `The SQLite mailbox's writer thread stopped (${reason}); its commits now run on the main thread.`,
            { code: "SWITCHBOARD_SQLITE_WRITER_THREAD" },
          );
          return onThisThread();
        });
  // The store clock is read here, once per commit, so an injected clock never crosses threads.
  const batcher = createWriteBatcher<SqliteWrite, AppliedWrite>(
    (writes) => writer.commit(writes, now()),
    { windowMs, handOverAtOnce: writer.offThread === true },
  );
  const hub = createNoticeHub();
  let closed = false;

  const statements = prepareSqliteStatements(database);

  const emitCommitted = ({ notice, delayMs }: CommittedNotice) => {
    if (delayMs === undefined) hub.emit(notice);
    else hub.emitLater(notice, delayMs);
  };

  const ensureOpen = () => {
    if (closed) throw new MailboxClosedError();
  };
  // Every inbound SMS/WhatsApp message reads its sender's consent before it is stored. The
  // consent table changes only through `setConsent` and `deleteCustomer` (this store is the
  // file's only owner), so answers are remembered until one of those, which forgets them
  // when issued and again when it settles (a read in between may predate its commit).
  const consentByAddress = new Map<string, ConsentRecord | null>();
  const write = async <Kind extends SqliteWrite["kind"]>(
    request: Extract<SqliteWrite, { kind: Kind }>,
  ): Promise<SqliteWriteResults[Kind]> => {
    if (closed) throw new MailboxClosedError();
    if (request.kind === "setConsent" || request.kind === "deleteCustomer") {
      consentByAddress.clear();
      try {
        return await applyWrite(request);
      } finally {
        consentByAddress.clear();
      }
    }
    return applyWrite(request);
  };
  const applyWrite = async <Kind extends SqliteWrite["kind"]>(
    request: Extract<SqliteWrite, { kind: Kind }>,
  ): Promise<SqliteWriteResults[Kind]> => {
    const applied = await batcher.run(request);
    for (const notice of applied.notices) emitCommitted(notice);
    return applied.value as SqliteWriteResults[Kind];
  };

  const readConversationRow = (sid: string) =>
    statements.conversation.get(sid) as ConversationRow | undefined;

  const store: MailboxStore = {
    ingest(message) {
      try {
        validateInboundMessage(message);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({
        kind: "ingest",
        messageSid: message.messageSid,
        idempotencyToken: message.idempotencyToken ?? null,
        conversationSid: message.conversationSid,
        index: message.index,
        role: message.role,
        serviceSid: message.serviceSid ?? null,
        channel: message.channel,
        customerAddress: message.customerAddress ?? null,
        proxyAddress: message.proxyAddress ?? null,
        dateCreated: message.dateCreated,
        record: JSON.stringify(message),
      });
    },

    claim(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "claim", workerId, max, leaseMs });
    },

    heartbeat(lease) {
      return write({ kind: "heartbeat", lease: leaseKey(lease), leaseMs: lease.leaseMs });
    },

    release(lease) {
      return write({ kind: "release", lease: leaseKey(lease) });
    },

    complete(lease, replies, options = {}) {
      try {
        validateReplies(replies);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({
        kind: "complete",
        lease: leaseKey(lease),
        turnId: lease.turnId,
        messages: lease.messages.map(({ messageSid, index }) => ({ messageSid, index })),
        replies: replies.map(serialiseReply),
        handoff: options.handoff === true,
      });
    },

    fail(lease, error, retryAt) {
      if (!Number.isFinite(retryAt))
        return Promise.reject(new MailboxInputError("retryAt", "retryAt: must be epoch ms"));
      const reason = String(error).slice(0, mailboxLimits.textLength * 4);
      return write({ kind: "fail", lease: leaseKey(lease), reason, retryAt });
    },

    noteHandoff(conversationSid, note) {
      try {
        validateHandoffNote(conversationSid, note);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({
        kind: "noteHandoff",
        conversationSid,
        reason: note.reason,
        source: note.source,
        summary: note.summary,
      });
    },

    noteHandoffReleased(conversationSid, by) {
      if (by !== "operator" && by !== "timeout")
        return Promise.reject(new MailboxInputError("by", "by: must be operator or timeout"));
      return write({ kind: "noteHandoffReleased", conversationSid, by });
    },

    async waitingForPerson(options = {}) {
      ensureOpen();
      return statements.waitingForPerson.all(
        validateWaitingLimit(options.limit),
      ) as WaitingConversation[];
    },

    async handoffNote(conversationSid) {
      ensureOpen();
      return (statements.handoffNote.get(conversationSid) as HandoffNote | undefined) ?? null;
    },

    async journalGet(lease, key) {
      ensureOpen();
      const row = statements.journalGet.get(lease.conversationSid, key) as
        | { name: string; value: string }
        | undefined;
      return row === undefined ? undefined : { name: row.name, value: JSON.parse(row.value) };
    },

    journalRecord(lease, key, step) {
      let checked: StorableJournalStep;
      try {
        checked = validateJournalStep(key, step);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({
        kind: "journalRecord",
        lease: leaseKey(lease),
        turnId: lease.turnId,
        ...checked,
      });
    },

    async deadLetters(options): Promise<DeadLetter[]> {
      ensureOpen();
      const limit = validateDeadLetterLimit(options) ?? -1;
      return (statements.deadLetters.all(limit) as ConversationRow[]).map(toDeadLetter);
    },

    retryDeadLetter(conversationSid) {
      return write({ kind: "retryDeadLetter", conversationSid });
    },

    skipDeadLetter(conversationSid) {
      return write({ kind: "skipDeadLetter", conversationSid });
    },

    claimOutbox(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "claimOutbox", workerId, max, leaseMs });
    },

    settleOutbox(item, result) {
      try {
        validateOutboxResult(result);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "settleOutbox", id: item.id, claimVersion: item.claimVersion, result });
    },

    startSendAttempt(item, deadline) {
      if (!Number.isSafeInteger(item?.id) || !Number.isSafeInteger(item?.claimVersion))
        return Promise.reject(new MailboxInputError("item", "item: must be a claimed outbox item"));
      if (!Number.isFinite(deadline))
        return Promise.reject(new MailboxInputError("deadline", "deadline: must be epoch ms"));
      return write({
        kind: "startSendAttempt",
        id: item.id,
        claimVersion: item.claimVersion,
        deadline,
      });
    },

    enqueueReply(conversationSid, replyId, reply, known) {
      try {
        validateEnqueuedReply(conversationSid, replyId, reply, known);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({
        kind: "enqueueReply",
        conversationSid,
        replyId,
        turnId: turnIdOfReply(replyId),
        reply: serialiseReply(reply),
        ...(known === undefined
          ? {}
          : {
              known: {
                channel: known.channel,
                customerAddress: known.customerAddress,
                proxyAddress: known.proxyAddress ?? null,
              },
            }),
      });
    },

    async history(conversationSid, options = {}) {
      ensureOpen();
      const limit = validateHistoryLimit(options.limit);
      return mergeHistory(
        statements.recentMessages.all(conversationSid, limit) as MessageRow[],
        statements.recentOutbox.all(conversationSid, limit) as OutboxRow[],
        limit,
      );
    },

    // Each read is a local statement here: composing them costs no round trips.
    turnContext(conversationSid, options) {
      return composeTurnContext(store, conversationSid, options);
    },

    async conversation(conversationSid) {
      ensureOpen();
      const row = readConversationRow(conversationSid);
      return row === undefined ? null : toConversation(row, defaultPolicy);
    },

    setPolicy(conversationSid, policy) {
      try {
        validatePolicy(policy);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "setPolicy", conversationSid, policy: JSON.stringify(policy) });
    },

    setHandoff(conversationSid, on) {
      return write({ kind: "setHandoff", conversationSid, on });
    },

    markGone(conversationSid, reason) {
      try {
        validateGone(conversationSid, reason);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "markGone", conversationSid, reason });
    },

    async lastIndex(conversationSid) {
      ensureOpen();
      return readConversationRow(conversationSid)?.last_index ?? null;
    },

    async indexGap(conversationSid, above, below) {
      ensureOpen();
      validateIndexRange(conversationSid, above, below);
      const { recorded } = statements.recordedIndexes.get({
        sid: conversationSid,
        above,
        below,
      }) as {
        recorded: number;
      };
      const { sending } = statements.sendingReplies.get(conversationSid) as { sending: number };
      return { recorded, sending };
    },

    async activeConversations(since, limit, options) {
      ensureOpen();
      validateActiveQuery(since, limit, options);
      const includeGone = options?.includeGone === true ? 1 : 0;
      return (statements.active.all({ since, limit, includeGone }) as ConversationRow[]).map(
        (row) => toConversation(row, defaultPolicy),
      );
    },

    async knownConversations() {
      ensureOpen();
      return (statements.known.all() as { conversation_sid: string }[]).map(
        (row) => row.conversation_sid,
      );
    },

    async stats() {
      ensureOpen();
      const row = statements.stats.get() as { pending: number; dead: number };
      return { pendingMessages: row.pending, deadLetters: row.dead };
    },

    async getMeta(key) {
      ensureOpen();
      return (statements.getMeta.get(key) as { value: string } | undefined)?.value ?? null;
    },

    setMeta(key, value) {
      if (typeof key !== "string" || key.length === 0 || typeof value !== "string")
        return Promise.reject(new MailboxInputError("meta", "meta: key and value must be strings"));
      return write({ kind: "setMeta", key, value });
    },

    saveTranscripts(messageSid, transcripts) {
      try {
        return write({ kind: "saveTranscripts", ...validateTranscripts(messageSid, transcripts) });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async transcripts(messageSid) {
      ensureOpen();
      validateTranscripts(messageSid, []);
      return statements.transcripts.all(messageSid) as StoredTranscript[];
    },

    recordDelivery(update) {
      try {
        validateDeliveryUpdate(update);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "recordDelivery", update: { ...update } });
    },

    async deliveries(conversationSid) {
      ensureOpen();
      validateLedgerConversation(conversationSid);
      return (statements.deliveriesOf.all(conversationSid, deliveriesLimit) as DeliveryRow[]).map(
        toDeliveryRecord,
      );
    },

    setConsent(change) {
      try {
        validateConsentChange(change);
      } catch (error) {
        return Promise.reject(error);
      }
      return write({ kind: "setConsent", change: { ...change } });
    },

    async consent(address) {
      ensureOpen();
      validateAddress(address);
      const known = consentByAddress.get(address);
      if (known !== undefined) return known === null ? null : { ...known };
      const row = statements.consent.get(address) as ConsentRow | undefined;
      const record = row === undefined ? null : toConsentRecord(row);
      consentByAddress.set(address, record);
      // Bounded: the oldest answer goes first.
      if (consentByAddress.size > rememberedConsentAddresses)
        for (const oldest of consentByAddress.keys()) {
          consentByAddress.delete(oldest);
          break;
        }
      return record === null ? null : { ...record };
    },

    ...sqliteCustomerMethods({
      statements,
      defaultPolicy,
      ensureOpen,
      write,
      history: (conversationSid, options) => store.history(conversationSid, options),
    }),
    recordInboundDeadLetter(letter) {
      try {
        validateInboundDeadLetter(letter);
      } catch (error) {
        return Promise.reject(error);
      }
      const { conversationSid, messageSid, author, field, reason, bodyLength } = letter;
      return write({
        kind: "recordInboundDeadLetter",
        letter: { conversationSid, messageSid, author, field, reason, bodyLength },
      });
    },

    async inboundDeadLetters(options) {
      ensureOpen();
      const limit = inboundDeadLetterListLimit(options);
      return (statements.inboundDeadLetters.all(limit) as InboundDeadLetterRow[]).map(
        toInboundDeadLetter,
      );
    },

    onWork: (listener) => hub.onWork(listener),

    collectGarbage({ olderThanMs }) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
        return Promise.reject(
          new MailboxInputError("olderThanMs", "olderThanMs: must be a non-negative number"),
        );
      return write({ kind: "collectGarbage", olderThanMs });
    },

    async close() {
      if (closed) return;
      // Writes already accepted are committed before the connections go: their callers were
      // promised an answer.
      closed = true;
      await batcher.drain();
      await writer.close();
      hub.clear();
      database.close();
      ownership?.release();
    },
  };
  return store;
}
