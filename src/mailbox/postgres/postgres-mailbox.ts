import { randomUUID } from "node:crypto";
import type pg from "pg";
import { ConfigError } from "../../errors.js";
import { LeaseLostError, MailboxClosedError, MailboxInputError } from "../mailbox-errors.js";
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
  MailboxOptions,
  MailboxStore,
  OutboundReply,
  OutboxItem,
  OutboxResult,
  WorkNotice,
} from "../mailbox-store.js";
import { maxPublishBytes } from "../mailbox-store.js";
import { replyIdFor, turnIdOfReply } from "../reply-id.js";
import {
  type ConversationRow,
  serialiseReply,
  toConversation,
  toOutboundHistory,
  toOutboxItem,
  toStoredMessage,
} from "../sqlite-rows.js";
import {
  mailboxLimits,
  resolveMailboxOptions,
  validateClaim,
  validateEnqueuedReply,
  validateHistoryLimit,
  validateInboundMessage,
  validateOutboxResult,
  validatePolicy,
  validateReplies,
} from "../validate-mailbox-input.js";
import { withAdvisoryLock } from "./advisory-lock.js";
import { claimTurns } from "./claim-turns.js";
import { createIngestBatch } from "./ingest-batch.js";
import { listenForWork } from "./listen-for-work.js";
import type { PostgresConnectionOptions } from "./open-postgres-pool.js";
import { createPostgresConnection, type TransactionOptions } from "./postgres-connection.js";
import { conversationRowFrom, messageRowFrom, outboxRowFrom } from "./postgres-rows.js";
import { defaultPostgresSchema, openMigratedPool, validateSchemaName } from "./postgres-schema.js";
import { postgresStatements } from "./postgres-statements.js";
import { assertStorableText, isStorableText, storableText } from "./storable-text.js";

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
  };

const maxIngestBatch = 200;

/**
 * A lease with fields of the wrong type (or text PostgreSQL cannot hold) was never handed out
 * by a store: it is treated as not held rather than sent to the database.
 */
function isPlausibleLease(lease: Lease): boolean {
  return (
    typeof lease === "object" &&
    lease !== null &&
    typeof lease.conversationSid === "string" &&
    isStorableText(lease.conversationSid) &&
    typeof lease.workerId === "string" &&
    isStorableText(lease.workerId) &&
    Number.isSafeInteger(lease.leaseVersion) &&
    typeof lease.turnId === "string" &&
    isStorableText(lease.turnId) &&
    Number.isSafeInteger(lease.leaseMs) &&
    Array.isArray(lease.messages) &&
    lease.messages.every(
      (message) => typeof message?.messageSid === "string" && isStorableText(message.messageSid),
    )
  );
}

/**
 * The scale-out mailbox on PostgreSQL ≥ 14: the same semantics as `sqliteMailbox`, shared by
 * any number of processes. Conversation rows are leased with `SELECT … FOR UPDATE SKIP LOCKED`,
 * concurrent ingests share one transaction (group commit), dedupe keys are a unique table, and
 * commits that create work `NOTIFY` every process's `onWork` listeners (workers still poll as
 * a backstop). A lost connection is survived: statements and transactions that certainly did
 * not commit are retried on a new connection. All time comes from the injected clock.
 *
 * Resolves once the database is reachable and the schema is current; rejects with
 * `MailboxOpenError` naming host, port and database (never the password) otherwise.
 */
export async function postgresMailbox(options: PostgresMailboxOptions): Promise<MailboxStore> {
  const settings = resolveMailboxOptions(options);
  const { now, settleWindowMs, maxAttempts, defaultPolicy, dedupeRetentionMs } = settings;
  const schema = validateSchemaName(options.schema ?? defaultPostgresSchema);
  const windowMs = options.groupCommitWindowMs ?? 0;
  if (!Number.isSafeInteger(windowMs) || windowMs < 0 || windowMs > 1_000)
    throw new ConfigError(
      "groupCommitWindowMs",
      "groupCommitWindowMs must be an integer from 0 to 1000 (ms): it delays every webhook's 200.",
    );

  const opened = await openMigratedPool(options, schema, options.migrate !== false);

  const connection = createPostgresConnection(opened.pool, opened.target, opened.ownsPool);
  const sql = postgresStatements(schema);
  const claimContext = { sql, settleWindowMs, maxAttempts, defaultPolicy };
  const channel = `switchboard_work_${schema}`.slice(0, 63);
  const instanceId = randomUUID();
  const listeners = new Set<(notice: WorkNotice) => void>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let closed = false;

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

  const eventChannel = `switchboard_events_${schema}`.slice(0, 63);
  const subscribers = new Map<string, Set<(payload: string) => void>>();
  const deliver = (name: string, payload: string) => {
    for (const listener of subscribers.get(name) ?? []) {
      try {
        listener(payload);
      } catch {
        // A subscriber's bug must not stop delivery to the others.
      }
    }
  };

  const workListener = listenForWork(
    opened.clientConfig,
    [channel, eventChannel],
    (on, payload) => {
      if (on === eventChannel) {
        const published = parsePublished(payload);
        // Our own publications were delivered locally already.
        if (published !== undefined && published.from !== instanceId)
          deliver(published.channel, published.payload);
        return;
      }
      let parsed: { kind?: unknown; conversationSid?: unknown; from?: unknown };
      try {
        parsed = JSON.parse(payload) as typeof parsed;
      } catch {
        return;
      }
      // Our own commits were announced locally already.
      if (parsed.from === instanceId || typeof parsed.conversationSid !== "string") return;
      if (parsed.kind === "turn" || parsed.kind === "outbox")
        emit({ kind: parsed.kind, conversationSid: parsed.conversationSid });
    },
  );
  await workListener.ready;

  /** Sends the notices with the transaction (NOTIFY is delivered on commit, to every process). */
  const notifyIn = async (client: pg.ClientBase, notices: readonly WorkNotice[]) => {
    if (notices.length === 0) return;
    const payloads = [
      ...new Set(
        notices.map((notice) =>
          JSON.stringify({
            kind: notice.kind,
            conversationSid: notice.conversationSid,
            from: instanceId,
          }),
        ),
      ),
    ];
    await client.query(sql.notify, [channel, payloads]);
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const forget = () => running.delete(work);
    work.then(forget, forget);
    return work;
  };

  /** Runs a write transaction; its notices go out on commit, here and in other processes. */
  const write = <T>(
    work: (client: pg.PoolClient, notices: WorkNotice[]) => Promise<T>,
    transactionOptions: TransactionOptions = { idempotent: true },
  ): Promise<T> => {
    if (closed) return Promise.reject(new MailboxClosedError());
    let notices: WorkNotice[] = [];
    return track(
      (async () => {
        const value = await connection.transaction(async (client) => {
          notices = [];
          const result = await work(client, notices);
          await notifyIn(client, notices);
          return result;
        }, transactionOptions);
        for (const notice of notices) emit(notice);
        return value;
      })(),
    );
  };

  const read = <T>(work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new MailboxClosedError());
    return track(work());
  };

  const lockLease = async (client: pg.ClientBase, lease: Lease): Promise<ConversationRow> => {
    if (!isPlausibleLease(lease)) throw new LeaseLostError(String(lease?.conversationSid), NaN);
    const raw = (await client.query(sql.lockConversation, [lease.conversationSid])).rows[0];
    const row = raw === undefined ? undefined : conversationRowFrom(raw);
    if (
      row === undefined ||
      row.state !== "leased" ||
      row.lease_version !== lease.leaseVersion ||
      row.lease_owner !== lease.workerId
    )
      throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
    return row;
  };

  /** After a commit interrupted by a lost connection: did this lease's outcome land? */
  const settledWith = async (lease: Lease, states: readonly string[]) => {
    const raw = (await connection.query(sql.conversation, [lease.conversationSid])).rows[0];
    if (raw === undefined) return undefined;
    const row = conversationRowFrom(raw);
    // The lease version changes only on claims and handoffs, so the same version in a
    // released state means our write committed.
    return row.lease_version === lease.leaseVersion && states.includes(row.state) ? row : undefined;
  };

  const ingestBatch = createIngestBatch({
    connection,
    sql,
    now,
    settleWindowMs,
    defaultPolicy,
    notifyIn,
    announce(notice, laterMs) {
      emit(notice);
      if (laterMs > 0) emitLater(laterMs, notice);
    },
    windowMs,
    maxBatch: maxIngestBatch,
  });

  const store: MailboxStore = {
    ingest(message: InboundMessage): Promise<IngestResult> {
      if (closed) return Promise.reject(new MailboxClosedError());
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

    claim(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
        assertStorableText("workerId", workerId);
      } catch (error) {
        return Promise.reject(error);
      }
      // A claim whose commit was interrupted may have leased conversations nobody got: they
      // come back when those leases expire, so repeating it is safe.
      return write((client) =>
        claimTurns(client, claimContext, { workerId, max, leaseMs, at: now() }),
      );
    },

    heartbeat(lease) {
      if (!closed && !isPlausibleLease(lease)) return Promise.resolve(false);
      return read(async () => {
        const result = await connection.query(sql.heartbeat, [
          now() + lease.leaseMs,
          lease.conversationSid,
          lease.leaseVersion,
          lease.workerId,
        ]);
        return result.rowCount === 1;
      });
    },

    release(lease) {
      if (!closed && !isPlausibleLease(lease)) return Promise.resolve(false);
      return write(async (client, notices) => {
        const result = await client.query(sql.releaseLease, [
          now(),
          lease.conversationSid,
          lease.leaseVersion,
          lease.workerId,
        ]);
        const released = result.rowCount === 1;
        if (released) notices.push({ kind: "turn", conversationSid: lease.conversationSid });
        return released;
      });
    },

    complete(lease: Lease, replies: readonly OutboundReply[], options: CompleteOptions = {}) {
      try {
        validateReplies(replies);
      } catch (error) {
        return Promise.reject(error);
      }
      const handoff = options.handoff === true;
      const replyIdsOf = () => replies.map((_, position) => replyIdFor(lease.turnId, position));
      return write(
        async (client, notices): Promise<CompletedTurn> => {
          const at = now();
          const row = await lockLease(client, lease);
          const replyIds = replyIdsOf();
          await client.query(sql.markMessages, [
            "done",
            lease.conversationSid,
            lease.messages.map((message) => message.messageSid),
          ]);
          let lastIndex = -1;
          for (const message of lease.messages) lastIndex = Math.max(lastIndex, message.index);
          const seqs = replies.map((_, position) => row.outbox_seq + position + 1);
          if (replies.length > 0)
            await client.query(sql.insertOutbox, [
              lease.conversationSid,
              lease.turnId,
              lastIndex,
              row.channel,
              row.customer_address,
              row.proxy_address,
              at,
              replyIds,
              seqs,
              replies.map((_, position) => position),
              replies.map(serialiseReply),
            ]);
          await client.query(sql.release, [
            lease.conversationSid,
            handoff ? "handoff" : "idle",
            lastIndex,
            row.outbox_seq + replies.length,
            at,
          ]);
          if (handoff) await client.query(sql.handoffPending, [lease.conversationSid]);
          if (replies.length > 0)
            notices.push({ kind: "outbox", conversationSid: lease.conversationSid });
          if (!handoff) notices.push({ kind: "turn", conversationSid: lease.conversationSid });
          return { replyIds };
        },
        {
          idempotent: false,
          verify: async () =>
            (await settledWith(lease, ["idle", "handoff"])) === undefined
              ? { committed: false }
              : { committed: true, value: { replyIds: replyIdsOf() } },
        },
      );
    },

    fail(lease, error, retryAt) {
      if (!Number.isFinite(retryAt))
        return Promise.reject(new MailboxInputError("retryAt", "retryAt: must be epoch ms"));
      const reason = storableText(String(error).slice(0, mailboxLimits.textLength * 4));
      return write(
        async (client): Promise<FailOutcome> => {
          const at = now();
          const row = await lockLease(client, lease);
          if (row.attempts >= maxAttempts) {
            await client.query(sql.deadLetter, [reason, at, lease.conversationSid]);
            return "dead";
          }
          await client.query(sql.backoff, [reason, retryAt, at, lease.conversationSid]);
          return "backoff";
        },
        {
          idempotent: false,
          verify: async () => {
            const row = await settledWith(lease, ["backoff", "dead"]);
            return row === undefined
              ? { committed: false }
              : { committed: true, value: row.state === "dead" ? "dead" : "backoff" };
          },
        },
      );
    },

    deadLetters() {
      return read(async () => {
        const rows = (await connection.query(sql.deadLetters)).rows.map(conversationRowFrom);
        return rows.map(
          (row): DeadLetter => ({
            conversationSid: row.conversation_sid,
            reason: row.last_error ?? "",
            attempts: row.attempts,
            deadAt: row.dead_at ?? 0,
            messageSids:
              row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]),
          }),
        );
      });
    },

    retryDeadLetter(conversationSid) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(
        async (client, notices) => {
          const revived = await client.query(sql.revive, [now(), conversationSid]);
          if (revived.rowCount !== 1) return false;
          notices.push({ kind: "turn", conversationSid });
          return true;
        },
        { idempotent: false },
      );
    },

    skipDeadLetter(conversationSid) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(
        async (client, notices) => {
          const raw = (await client.query(sql.lockConversation, [conversationSid])).rows[0];
          const row = raw === undefined ? undefined : conversationRowFrom(raw);
          if (row === undefined || row.state !== "dead") return false;
          const sids =
            row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]);
          const skipped = await client.query<{ message_index: string }>(sql.markMessages, [
            "skipped",
            conversationSid,
            sids,
          ]);
          const lastIndex = Math.max(-1, ...skipped.rows.map((item) => Number(item.message_index)));
          await client.query(sql.release, [
            conversationSid,
            "idle",
            lastIndex,
            row.outbox_seq,
            now(),
          ]);
          notices.push({ kind: "turn", conversationSid });
          return true;
        },
        { idempotent: false },
      );
    },

    claimOutbox(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
        assertStorableText("workerId", workerId);
      } catch (error) {
        return Promise.reject(error);
      }
      // Like `claim`: an interrupted commit leaves claims that expire and are taken again, and
      // the reply's attempt count tells the sender to look before resending.
      return write(async (client) => {
        const at = now();
        const claimed = await client.query(sql.claimOutbox, [at, max, workerId, at + leaseMs]);
        return claimed.rows
          .map(outboxRowFrom)
          .sort((a, b) => a.id - b.id)
          .map(toOutboxItem);
      });
    },

    settleOutbox(item: OutboxItem, result: OutboxResult) {
      if (!Number.isSafeInteger(item?.id))
        return Promise.reject(new MailboxInputError("item.id", "item.id: must be an integer"));
      try {
        validateOutboxResult(result);
        if ("sent" in result) assertStorableText("messageSid", result.messageSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client, notices) => {
        const at = now();
        const raw = (await client.query(sql.lockOutboxRow, [item.id])).rows[0];
        if (raw === undefined) return false;
        const row = outboxRowFrom(raw);
        const notice: WorkNotice = { kind: "outbox", conversationSid: row.conversation_sid };
        if ("sent" in result) {
          if (row.status === "sent") return true;
          const index = result.index ?? null;
          await client.query(sql.settleSent, [result.messageSid, at, row.id, index]);
          // Our own message comes back through onMessageAdded: make that a duplicate, and
          // drop a copy that arrived before this settle so history shows it once. Its index
          // stays recorded on the outbox row, so the settle rule of claim still sees it.
          await client.query(sql.insertKeys, [[`sid:${result.messageSid}`], at]);
          await client.query(sql.deleteEcho, [result.messageSid]);
          if (index !== null) await client.query(sql.touchSentIndex, [index, row.conversation_sid]);
          notices.push(notice);
          return true;
        }
        if (row.status !== "sending" || row.claim_version !== item.claimVersion) return false;
        if ("failed" in result) {
          await client.query(sql.settleFailed, [storableText(String(result.error)), at, row.id]);
          notices.push(notice);
        } else {
          if (!Number.isFinite(result.retryAt))
            throw new MailboxInputError("retryAt", "retryAt: must be epoch ms");
          await client.query(sql.settleRetry, [
            storableText(String(result.error)),
            result.retryAt,
            row.id,
            result.throttled === true,
          ]);
        }
        return true;
      });
    },

    enqueueReply(conversationSid, replyId, reply) {
      try {
        validateEnqueuedReply(conversationSid, replyId, reply);
        assertStorableText("conversationSid", conversationSid);
        assertStorableText("replyId", replyId);
      } catch (error) {
        return Promise.reject(error);
      }
      const turnId = turnIdOfReply(replyId);
      return write(async (client, notices): Promise<"queued" | "duplicate"> => {
        const at = now();
        // Permanent like message dedupe: the key outlives the row's garbage collection.
        const key = `reply:${replyId}`;
        if ((await client.query(sql.outboxReplyExists, [replyId])).rowCount !== 0)
          return "duplicate";
        await client.query(sql.insertConversation, [conversationSid, at]);
        // The row lock orders this append with `complete` and other enqueues of the
        // conversation, so `outbox_seq` is never taken twice.
        const row = conversationRowFrom(
          (await client.query(sql.lockConversation, [conversationSid])).rows[0],
        );
        if ((await client.query(sql.insertKeys, [[key], at])).rowCount === 0) return "duplicate";
        const seq = row.outbox_seq + 1;
        const inserted = await client.query(sql.enqueueReply, [
          replyId,
          conversationSid,
          seq,
          turnId,
          row.last_processed_index ?? -1,
          row.channel,
          row.customer_address,
          row.proxy_address,
          serialiseReply(reply),
          at,
        ]);
        // A concurrent enqueue in another conversation took the id first.
        if (inserted.rowCount === 0) throw new ReplyIdTakenError();
        await client.query(sql.setOutboxSeq, [seq, at, conversationSid]);
        notices.push({ kind: "outbox", conversationSid });
        return "queued";
      }).catch((error: unknown) => {
        if (error instanceof ReplyIdTakenError) return "duplicate";
        throw error;
      });
    },

    stats() {
      return read(async () => {
        const row = (await connection.query(sql.stats)).rows[0] as {
          pending: number;
          dead: number;
        };
        return { pendingMessages: Number(row.pending), deadLetters: Number(row.dead) };
      });
    },

    history(conversationSid, options = {}) {
      return read(async () => {
        const limit = validateHistoryLimit(options.limit);
        assertStorableText("conversationSid", conversationSid);
        const [messages, outbox] = await Promise.all([
          connection.query(sql.recentMessages, [conversationSid, limit]),
          connection.query(sql.recentOutbox, [conversationSid, limit]),
        ]);
        const inbound = messages.rows.map(messageRowFrom).map((row) => ({
          key: [row.message_index, 0, 0] as const,
          entry: { direction: "inbound", ...toStoredMessage(row) } as HistoryEntry,
        }));
        const outbound = outbox.rows.map(outboxRowFrom).map((row) => ({
          key: [row.after_index, 1, row.seq] as const,
          entry: toOutboundHistory(row),
        }));
        const merged = [...inbound, ...outbound].sort(
          (a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2],
        );
        return merged.slice(-limit).map((item) => item.entry);
      });
    },

    conversation(conversationSid) {
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const raw = (await connection.query(sql.conversation, [conversationSid])).rows[0];
        return raw === undefined ? null : toConversation(conversationRowFrom(raw), defaultPolicy);
      });
    },

    setPolicy(conversationSid, policy) {
      try {
        validatePolicy(policy);
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client, notices) => {
        const at = now();
        await client.query(sql.insertConversation, [conversationSid, at]);
        await client.query(sql.setPolicy, [
          policy.mode,
          policy.mode === "burst" ? policy.windowMs : null,
          at,
          conversationSid,
        ]);
        notices.push({ kind: "turn", conversationSid });
      });
    },

    setHandoff(conversationSid, on) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client, notices) => {
        const at = now();
        await client.query(sql.insertConversation, [conversationSid, at]);
        if (on) {
          await client.query(sql.handoffOn, [at, conversationSid]);
          await client.query(sql.handoffPending, [conversationSid]);
        } else {
          await client.query(sql.handoffOff, [at, conversationSid]);
          notices.push({ kind: "turn", conversationSid });
        }
      });
    },

    lastIndex(conversationSid) {
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const raw = (await connection.query(sql.lastIndex, [conversationSid])).rows[0];
        return raw === undefined || raw.last_index === null ? null : Number(raw.last_index);
      });
    },

    knownConversations() {
      return read(async () =>
        (await connection.query<{ conversation_sid: string }>(sql.known)).rows.map(
          (row) => row.conversation_sid,
        ),
      );
    },

    getMeta(key) {
      return read(async () => {
        assertStorableText("meta", key);
        const raw = (await connection.query<{ value: string }>(sql.getMeta, [key])).rows[0];
        return raw?.value ?? null;
      });
    },

    setMeta(key, value) {
      try {
        if (typeof key !== "string" || key.length === 0 || typeof value !== "string")
          throw new MailboxInputError("meta", "meta: key and value must be strings");
        assertStorableText("meta", key);
        assertStorableText("meta", value);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        await client.query(sql.setMeta, [key, value]);
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
      return write(async (client): Promise<GarbageCollected> => {
        const at = now();
        const cutoff = at - olderThanMs;
        const dedupeCutoff = at - Math.max(olderThanMs, dedupeRetentionMs);
        const messages = await client.query(sql.gcMessages, [cutoff]);
        const outbox = await client.query(sql.gcOutbox, [cutoff]);
        const dedupeKeys = await client.query(sql.gcKeys, [dedupeCutoff]);
        return {
          messages: messages.rowCount ?? 0,
          outbox: outbox.rowCount ?? 0,
          dedupeKeys: dedupeKeys.rowCount ?? 0,
        };
      });
    },

    withLock(name, work) {
      try {
        validateChannelName("name", name);
      } catch (error) {
        return Promise.reject(error);
      }
      return read(() =>
        withAdvisoryLock(connection.pool, `switchboard:${schema}:lock:${name}`, work),
      );
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
      return read(async () => {
        const envelope = JSON.stringify({ channel: name, payload, from: instanceId });
        await connection.query("SELECT pg_notify($1, $2)", [eventChannel, envelope]);
        deliver(name, payload);
      });
    },

    subscribe(name, listener) {
      validateChannelName("channel", name);
      let set = subscribers.get(name);
      if (set === undefined) {
        set = new Set();
        subscribers.set(name, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && subscribers.get(name) === set) subscribers.delete(name);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      subscribers.clear();
      await ingestBatch.drain();
      await Promise.allSettled([...running]);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      listeners.clear();
      await workListener.close();
      await connection.end();
    },
  };
  return store;
}

/** Rolls an enqueue back whose reply id another transaction inserted first. */
class ReplyIdTakenError extends Error {}

/** Channel and lock names: short printable identifiers chosen by code, never by customers. */
function validateChannelName(field: string, name: string): void {
  if (typeof name !== "string" || !/^[A-Za-z0-9._:-]{1,100}$/.test(name))
    throw new MailboxInputError(
      field,
      `${field}: 1 to 100 characters of letters, digits, ".", "_", ":" or "-"`,
    );
}

/** A publication from another process, or undefined for anything malformed. */
function parsePublished(
  text: string,
): { channel: string; payload: string; from: unknown } | undefined {
  try {
    const parsed = JSON.parse(text) as { channel?: unknown; payload?: unknown; from?: unknown };
    if (typeof parsed.channel !== "string" || typeof parsed.payload !== "string") return undefined;
    return { channel: parsed.channel, payload: parsed.payload, from: parsed.from };
  } catch {
    return undefined;
  }
}
