import { ConfigError } from "../errors.js";
import { LeaseLostError, MailboxClosedError, MailboxInputError } from "./mailbox-errors.js";
import type {
  CompletedTurn,
  CompleteOptions,
  DeadLetter,
  FailOutcome,
  GarbageCollected,
  HistoryEntry,
  InboundMessage,
  IngestResult,
  Lease,
  LeasedMessage,
  MailboxOptions,
  MailboxStore,
  OutboundReply,
  OutboxItem,
  OutboxResult,
  TurnPolicy,
  WorkNotice,
} from "./mailbox-store.js";
import { openSqliteDatabase } from "./open-sqlite-database.js";
import { replyIdFor } from "./reply-id.js";
import {
  type ConversationRow,
  type MessageRow,
  type OutboxRow,
  serialiseReply,
  toConversation,
  toOutboundHistory,
  toOutboxItem,
  toStoredMessage,
} from "./sqlite-rows.js";
import { prepareSqliteStatements } from "./sqlite-statements.js";
import {
  mailboxLimits,
  resolveMailboxOptions,
  validateClaim,
  validateHistoryLimit,
  validateInboundMessage,
  validatePolicy,
  validateReplies,
} from "./validate-mailbox-input.js";
import { type AfterCommit, createWriteBatcher } from "./write-batcher.js";

/** Options of `sqliteMailbox`. */
export interface SqliteMailboxOptions extends MailboxOptions {
  /** The database file; its folder is created if missing. `:memory:` for throwaway use. */
  path: string;
  /**
   * Extra time a write waits for others to share its commit. Default 0: writes issued in the
   * same event-loop turn share one commit, which already groups concurrent webhooks.
   */
  groupCommitWindowMs?: number;
}

const maxBatchMessages = 100;
const candidateScan = 1_000;

/**
 * The embedded mailbox: one SQLite file in WAL mode with `synchronous=FULL`, so a resolved
 * write has been fsynced. All writes of this process go through one group-commit queue;
 * several processes may share the file (each write is a `BEGIN IMMEDIATE` transaction that
 * re-checks leases inside it), though one process per file is the intended deployment.
 * Throws `MailboxOpenError` when the file cannot be created, opened or migrated.
 */
export function sqliteMailbox(options: SqliteMailboxOptions): MailboxStore {
  const settings = resolveMailboxOptions(options);
  const { now, settleWindowMs, maxAttempts, defaultPolicy, dedupeRetentionMs } = settings;
  const windowMs = options.groupCommitWindowMs ?? 0;
  if (!Number.isSafeInteger(windowMs) || windowMs < 0 || windowMs > 1_000)
    throw new ConfigError(
      "groupCommitWindowMs",
      "groupCommitWindowMs must be an integer from 0 to 1000 (ms): it delays every webhook's 200.",
    );
  const database = openSqliteDatabase(options.path);
  const batcher = createWriteBatcher(database, { windowMs });
  const listeners = new Set<(notice: WorkNotice) => void>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const statements = prepareSqliteStatements(database);

  const emit = (notice: WorkNotice) => {
    for (const listener of listeners) {
      try {
        listener(notice);
      } catch {
        // A listener is a hint consumer; its failure must not break the writer.
      }
    }
  };
  const emitLater = (delayMs: number, notice: WorkNotice) => {
    // Settle and burst windows make work due later with no new write: wake workers then.
    const timer = setTimeout(() => {
      timers.delete(timer);
      emit(notice);
    }, delayMs + 1);
    timer.unref();
    timers.add(timer);
  };

  const ensureOpen = () => {
    if (closed) throw new MailboxClosedError();
  };
  const write = <T>(operation: (afterCommit: AfterCommit) => T): Promise<T> => {
    if (closed) return Promise.reject(new MailboxClosedError());
    return batcher.run(operation);
  };

  const readConversationRow = (sid: string) =>
    statements.conversation.get(sid) as ConversationRow | undefined;

  const ensureConversation = (sid: string, at: number) => {
    statements.insertConversation.run(sid, at, at);
  };

  const policyOf = (row: ConversationRow): TurnPolicy =>
    row.policy === null ? defaultPolicy : (JSON.parse(row.policy) as TurnPolicy);

  const assertLease = (lease: Lease): ConversationRow => {
    const row = readConversationRow(lease.conversationSid);
    if (
      row === undefined ||
      row.state !== "leased" ||
      row.lease_version !== lease.leaseVersion ||
      row.lease_owner !== lease.workerId
    )
      throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
    return row;
  };

  /** The settle rule documented on `MailboxStore.claim`. */
  const isSettled = (message: MessageRow, conversation: ConversationRow, at: number) =>
    message.message_index === 0 ||
    (conversation.last_processed_index ?? -1) >= message.message_index - 1 ||
    statements.hasIndex.get(message.conversation_sid, message.message_index - 1) !== undefined ||
    at - message.ingested_at >= settleWindowMs;

  const pickTurn = (conversation: ConversationRow, at: number): MessageRow[] => {
    const pending = statements.pending.all(
      conversation.conversation_sid,
      maxBatchMessages,
    ) as MessageRow[];
    const first = pending[0];
    if (first === undefined || !isSettled(first, conversation, at)) return [];
    const policy = policyOf(conversation);
    if (policy.mode === "queue") return [first];
    const windowEnd = first.ingested_at + policy.windowMs;
    if (at < windowEnd) return [];
    // The window is half-open, [first, first + windowMs): a message ingested exactly at its
    // end starts the next turn, so the turn's content is fixed once it is due.
    const batch: MessageRow[] = [first];
    for (const message of pending.slice(1)) {
      if (message.ingested_at >= windowEnd) continue;
      if (!isSettled(message, conversation, at)) break;
      batch.push(message);
    }
    return batch;
  };

  const store: MailboxStore = {
    ingest(message: InboundMessage): Promise<IngestResult> {
      try {
        validateInboundMessage(message);
      } catch (error) {
        return Promise.reject(error);
      }
      const record = JSON.stringify(message);
      return write((afterCommit) => {
        const at = now();
        const keys = [`sid:${message.messageSid}`];
        if (message.idempotencyToken !== undefined) keys.push(`token:${message.idempotencyToken}`);
        for (const key of keys) if (statements.hasKey.get(key) !== undefined) return "duplicate";
        if (statements.hasMessage.get(message.messageSid) !== undefined) return "duplicate";
        for (const key of keys) statements.insertKey.run(key, at);

        ensureConversation(message.conversationSid, at);
        const conversation = readConversationRow(message.conversationSid)!;
        const isCustomer = message.role === "customer";
        const status = !isCustomer
          ? "history"
          : conversation.state === "handoff"
            ? "handoff"
            : "pending";
        statements.insertMessage.run(
          message.messageSid,
          message.conversationSid,
          message.index,
          message.role,
          status,
          record,
          at,
        );
        statements.touchConversation.run({
          sid: message.conversationSid,
          serviceSid: message.serviceSid ?? null,
          channel: message.channel,
          customerAddress: message.customerAddress ?? null,
          proxyAddress: message.proxyAddress ?? null,
          index: message.index,
          inboundAt: isCustomer ? message.dateCreated : null,
          at,
        });
        if (status === "pending") {
          const notice: WorkNotice = { kind: "turn", conversationSid: message.conversationSid };
          const policy = policyOf(conversation);
          const wait = Math.max(settleWindowMs, policy.mode === "burst" ? policy.windowMs : 0);
          afterCommit(() => {
            emit(notice);
            if (wait > 0) emitLater(wait, notice);
          });
        }
        return "accepted";
      });
    },

    claim(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(() => {
        const at = now();
        const leases: Lease[] = [];
        const candidates = statements.candidates.all(at, at, candidateScan) as ConversationRow[];
        for (const candidate of candidates) {
          if (leases.length >= max) break;
          if (candidate.state === "leased" && candidate.attempts >= maxAttempts) {
            // A turn that keeps killing its worker must not loop forever (invariant 6).
            statements.deadLetter.run(
              `the lease expired ${candidate.attempts} times without the turn completing`,
              at,
              at,
              candidate.conversation_sid,
            );
            continue;
          }
          const turn = pickTurn(candidate, at);
          const first = turn[0];
          if (first === undefined) continue;
          const sids = turn.map((message) => message.message_sid);
          // A different first message (a late lower index) is a new turn: its attempts restart.
          const previous =
            candidate.turn_message_sids === null
              ? undefined
              : (JSON.parse(candidate.turn_message_sids) as string[])[0];
          const attempts = previous === first.message_sid ? candidate.attempts + 1 : 1;
          statements.lease.run({
            sid: candidate.conversation_sid,
            owner: workerId,
            expiresAt: at + leaseMs,
            attempts,
            turn: JSON.stringify(sids),
            at,
          });
          const conversation = toConversation(
            readConversationRow(candidate.conversation_sid)!,
            defaultPolicy,
          );
          const lastProcessed = candidate.last_processed_index ?? -1;
          const messages: LeasedMessage[] = turn.map((row) => ({
            ...toStoredMessage(row),
            late: row.message_index < lastProcessed,
          }));
          leases.push({
            conversationSid: candidate.conversation_sid,
            workerId,
            leaseVersion: conversation.leaseVersion,
            expiresAt: at + leaseMs,
            leaseMs,
            turnId: first.message_sid,
            attempt: attempts,
            messages,
            conversation,
          });
        }
        return leases;
      });
    },

    heartbeat(lease) {
      return write(() => {
        const result = statements.heartbeat.run(
          now() + lease.leaseMs,
          lease.conversationSid,
          lease.leaseVersion,
          lease.workerId,
        );
        return result.changes === 1;
      });
    },

    complete(lease: Lease, replies: readonly OutboundReply[], options: CompleteOptions = {}) {
      try {
        validateReplies(replies);
      } catch (error) {
        return Promise.reject(error);
      }
      return write((afterCommit): CompletedTurn => {
        const at = now();
        const row = assertLease(lease);
        let lastIndex = -1;
        for (const message of lease.messages) {
          statements.markMessage.run("done", message.messageSid);
          lastIndex = Math.max(lastIndex, message.index);
        }
        let seq = row.outbox_seq;
        const replyIds = replies.map((reply, position) => {
          seq += 1;
          const replyId = replyIdFor(lease.turnId, position);
          statements.insertOutbox.run({
            replyId,
            sid: lease.conversationSid,
            seq,
            turnId: lease.turnId,
            position,
            afterIndex: lastIndex,
            channel: row.channel,
            to: row.customer_address,
            from: row.proxy_address,
            reply: serialiseReply(reply),
            at,
          });
          return replyId;
        });
        const handoff = options.handoff === true;
        statements.release.run({
          sid: lease.conversationSid,
          state: handoff ? "handoff" : "idle",
          lastIndex,
          seq,
          at,
        });
        if (handoff) statements.handoffPending.run(lease.conversationSid);
        afterCommit(() => {
          if (replies.length > 0) emit({ kind: "outbox", conversationSid: lease.conversationSid });
          if (!handoff) emit({ kind: "turn", conversationSid: lease.conversationSid });
        });
        return { replyIds };
      });
    },

    fail(lease, error, retryAt) {
      if (!Number.isFinite(retryAt))
        return Promise.reject(new MailboxInputError("retryAt", "retryAt: must be epoch ms"));
      const reason = String(error).slice(0, mailboxLimits.textLength * 4);
      return write((): FailOutcome => {
        const at = now();
        const row = assertLease(lease);
        if (row.attempts >= maxAttempts) {
          statements.deadLetter.run(reason, at, at, lease.conversationSid);
          return "dead";
        }
        statements.backoff.run(reason, retryAt, at, lease.conversationSid);
        return "backoff";
      });
    },

    async deadLetters(): Promise<DeadLetter[]> {
      ensureOpen();
      const rows = statements.deadLetters.all() as ConversationRow[];
      return rows.map((row) => ({
        conversationSid: row.conversation_sid,
        reason: row.last_error ?? "",
        attempts: row.attempts,
        deadAt: row.dead_at ?? 0,
        messageSids:
          row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]),
      }));
    },

    retryDeadLetter(conversationSid) {
      return write((afterCommit) => {
        const changed = statements.revive.run(now(), conversationSid).changes === 1;
        if (changed) afterCommit(() => emit({ kind: "turn", conversationSid }));
        return changed;
      });
    },

    skipDeadLetter(conversationSid) {
      return write((afterCommit) => {
        const row = readConversationRow(conversationSid);
        if (row === undefined || row.state !== "dead") return false;
        const sids =
          row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]);
        let lastIndex = -1;
        for (const sid of sids) {
          const message = statements.message.get(sid) as MessageRow | undefined;
          if (message?.status !== "pending") continue;
          statements.markMessage.run("skipped", sid);
          lastIndex = Math.max(lastIndex, message.message_index);
        }
        statements.release.run({
          sid: conversationSid,
          state: "idle",
          lastIndex,
          seq: row.outbox_seq,
          at: now(),
        });
        afterCommit(() => emit({ kind: "turn", conversationSid }));
        return true;
      });
    },

    claimOutbox(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(() => {
        const at = now();
        const rows = statements.outboxHeads.all(at, at, max) as OutboxRow[];
        return rows.map((row) => {
          statements.claimOutboxRow.run(workerId, at + leaseMs, row.id);
          return toOutboxItem(statements.outboxRow.get(row.id) as OutboxRow);
        });
      });
    },

    settleOutbox(item: OutboxItem, result: OutboxResult) {
      return write((afterCommit) => {
        const at = now();
        const row = statements.outboxRow.get(item.id) as OutboxRow | undefined;
        if (row === undefined) return false;
        const notify = () => emit({ kind: "outbox", conversationSid: row.conversation_sid });
        if ("sent" in result) {
          if (row.status === "sent") return true;
          statements.settleSent.run(result.messageSid, at, row.id);
          // Our own message comes back through onMessageAdded: make that a duplicate, and
          // drop a copy that arrived before this settle so history shows it once.
          statements.insertKey.run(`sid:${result.messageSid}`, at);
          statements.deleteEcho.run(result.messageSid);
          afterCommit(notify);
          return true;
        }
        if (row.status !== "sending" || row.claim_version !== item.claimVersion) return false;
        if ("failed" in result) {
          statements.settleFailed.run(result.error, at, row.id);
          afterCommit(notify);
        } else {
          statements.settleRetry.run(result.error, result.retryAt, row.id);
        }
        return true;
      });
    },

    async history(conversationSid, options = {}) {
      ensureOpen();
      const limit = validateHistoryLimit(options.limit);
      const inbound = (statements.recentMessages.all(conversationSid, limit) as MessageRow[]).map(
        (row) => ({
          key: [row.message_index, 0, 0] as const,
          entry: { direction: "inbound", ...toStoredMessage(row) } as HistoryEntry,
        }),
      );
      const outbound = (statements.recentOutbox.all(conversationSid, limit) as OutboxRow[]).map(
        (row) => ({ key: [row.after_index, 1, row.seq] as const, entry: toOutboundHistory(row) }),
      );
      const merged = [...inbound, ...outbound].sort(
        (a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2],
      );
      return merged.slice(-limit).map((item) => item.entry);
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
      return write((afterCommit) => {
        const at = now();
        ensureConversation(conversationSid, at);
        statements.setPolicy.run(JSON.stringify(policy), at, conversationSid);
        afterCommit(() => emit({ kind: "turn", conversationSid }));
      });
    },

    setHandoff(conversationSid, on) {
      return write((afterCommit) => {
        const at = now();
        ensureConversation(conversationSid, at);
        if (on) {
          statements.handoffOn.run(at, conversationSid);
          statements.handoffPending.run(conversationSid);
        } else {
          statements.handoffOff.run(at, conversationSid);
          afterCommit(() => emit({ kind: "turn", conversationSid }));
        }
      });
    },

    async lastIndex(conversationSid) {
      ensureOpen();
      return readConversationRow(conversationSid)?.last_index ?? null;
    },

    async knownConversations() {
      ensureOpen();
      return (statements.known.all() as { conversation_sid: string }[]).map(
        (row) => row.conversation_sid,
      );
    },

    async getMeta(key) {
      ensureOpen();
      return (statements.getMeta.get(key) as { value: string } | undefined)?.value ?? null;
    },

    setMeta(key, value) {
      if (typeof key !== "string" || key.length === 0 || typeof value !== "string")
        return Promise.reject(new MailboxInputError("meta", "meta: key and value must be strings"));
      return write(() => {
        statements.setMeta.run(key, value);
      });
    },

    onWork(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    collectGarbage({ olderThanMs }) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
        return Promise.reject(
          new MailboxInputError("olderThanMs", "olderThanMs: must be a non-negative number"),
        );
      return write((): GarbageCollected => {
        const at = now();
        const cutoff = at - olderThanMs;
        const dedupeCutoff = at - Math.max(olderThanMs, dedupeRetentionMs);
        return {
          messages: statements.gcMessages.run(cutoff).changes,
          outbox: statements.gcOutbox.run(cutoff).changes,
          dedupeKeys: statements.gcKeys.run(dedupeCutoff).changes,
        };
      });
    },

    async close() {
      if (closed) return;
      batcher.flushNow();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      listeners.clear();
      database.close();
    },
  };
  return store;
}
