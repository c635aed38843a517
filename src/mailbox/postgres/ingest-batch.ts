import type pg from "pg";
import { inboundDedupeKeys } from "../core/outbox-settle.js";
import { mayInterrupt } from "../core/turn-rules.js";
import { type CommittedNotice, ingestNotices, interruptNotice } from "../core/work-notices.js";
import type { InboundMessage, IngestResult, TurnPolicy, WorkNotice } from "../mailbox-store.js";
import { type BatchOutcome, createWriteBatcher, type WriteBatcher } from "../write-batcher.js";
import {
  isConnectionLost,
  isRetryableConflict,
  type PostgresConnection,
} from "./postgres-connection.js";
import { MailboxUnavailableError } from "./postgres-errors.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** What the ingest queue needs from the store. */
export interface IngestContext {
  connection: PostgresConnection;
  sql: PostgresStatements;
  now: () => number;
  settleWindowMs: number;
  defaultPolicy: TurnPolicy;
  /** Queues the notices' NOTIFY in the transaction. */
  notifyIn(client: pg.ClientBase, notices: readonly WorkNotice[]): Promise<void>;
  /** Where the ingest function NOTIFYs woken conversations, and who it says it is. */
  notifyChannel: string;
  instanceId: string;
  /** After commit: each notice now, or after its delay. */
  announce(committed: CommittedNotice): void;
  windowMs: number;
  maxBatch: number;
  /** Batches committing at once (each on its own pool connection). */
  concurrency: number;
}

/** A message's permanent dedupe keys, in the order they are taken. */
const dedupeKeysOf = (message: InboundMessage): string[] => inboundDedupeKeys(message);

/** One input failed inside the batch transaction; the batch is re-run without it. */
class InputFailed extends Error {
  constructor(
    readonly position: number,
    override readonly cause: unknown,
  ) {
    super("an ingest input failed inside its batch");
  }
}

/**
 * The group-commit ingest queue: validated messages arriving together are written in one
 * transaction and acknowledged after its commit. A message the database refuses (a constraint,
 * say) aborts that transaction, so the batch is re-run without it: it rejects alone and the
 * others still commit together. A lost connection or deadlock re-runs the whole batch, which
 * is safe — a message whose first try did commit is then answered `duplicate`.
 */
export function createIngestBatch(
  context: IngestContext,
): WriteBatcher<InboundMessage, IngestResult> {
  const { connection, sql, now, settleWindowMs, defaultPolicy } = context;

  const ingestOne = async (
    client: pg.ClientBase,
    message: InboundMessage,
    at: number,
    later: CommittedNotice[],
  ): Promise<IngestResult> => {
    // The unique key table is the dedupe: a concurrent copy (any process) waits on our
    // uncommitted key, then finds it, so exactly one copy is accepted. Keys are taken one at a
    // time (token first: retries share it) and the batch is sorted, so two batches holding
    // copies of the same messages wait for each other instead of deadlocking.
    const taken: string[] = [];
    for (const key of dedupeKeysOf(message)) {
      const inserted = await client.query(sql.insertKeys, [[key], at]);
      if (inserted.rowCount !== 1) {
        if (taken.length > 0) await client.query(sql.deleteKeys, [taken]);
        return "duplicate";
      }
      taken.push(key);
    }
    // Keys are collected after 7 days but a pending message may stay longer.
    if ((await client.query(sql.hasMessage, [message.messageSid])).rowCount !== 0) {
      await client.query(sql.deleteKeys, [taken]);
      return "duplicate";
    }
    const isCustomer = message.role === "customer";
    const touched = await client.query<{
      state: string;
      policy_mode: string | null;
      policy_window_ms: string | null;
      lease_owner: string | null;
      lease_version: string;
      lease_expires_at: number | null;
      turn_id: string | null;
    }>(sql.touchConversation, [
      message.conversationSid,
      message.serviceSid ?? null,
      message.channel,
      message.customerAddress ?? null,
      message.proxyAddress ?? null,
      message.index,
      isCustomer ? message.dateCreated : null,
      at,
    ]);
    const conversation = touched.rows[0]!;
    const status = !isCustomer
      ? "history"
      : conversation.state === "handoff"
        ? "handoff"
        : "pending";
    await client.query(sql.insertMessage, [
      message.messageSid,
      message.conversationSid,
      message.index,
      message.role,
      status,
      JSON.stringify(message),
      at,
      // Out of the claim's walk while the conversation is dead (schema 19's trigger unparks).
      status === "pending" && conversation.state === "dead",
    ]);
    if (status !== "pending") return "accepted";
    const policy = storedPolicy(
      conversation.policy_mode,
      conversation.policy_window_ms,
      defaultPolicy,
    );
    const running = {
      state: conversation.state,
      leaseExpiresAt:
        conversation.lease_expires_at === null ? null : Number(conversation.lease_expires_at),
      turnId: conversation.turn_id ?? undefined,
    };
    // The upsert above holds the conversation's row lock, which `journalRecord` takes too: a
    // step journaled before this point is seen here, and one after it finds the lease gone.
    // The one-trip path runs the same rule in SQL (`ingest_batch`, postgres-schema.ts 13).
    if (
      mayInterrupt(policy, running, at) &&
      (await client.query(sql.journalHasTurn, [message.conversationSid, running.turnId]))
        .rowCount === 0
    ) {
      // Given back uncounted, like a release at shutdown: the combined turn keeps its attempt.
      await client.query(sql.releaseLease, [
        at,
        message.conversationSid,
        conversation.lease_version,
        conversation.lease_owner,
      ]);
      later.push({
        notice: interruptNotice(message.conversationSid, Number(conversation.lease_version)),
      });
    }
    later.push(...ingestNotices(message.conversationSid, policy, settleWindowMs));
    return "accepted";
  };

  /**
   * The whole batch in one round trip: the schema's `ingest_batch_v2` function (migration
   * 22: `ingest_batch` that also says which messages the settle window cannot hold back)
   * runs the same steps as `ingestOne` for every message (the interrupt rule included: it holds the row
   * lock), in the same (sorted) order, and NOTIFYs once per ~7 KB of woken conversations plus
   * once per interrupt, in autocommit (the call is its transaction). Rejects when any message fails: the
   * caller then re-runs the batch statement by statement to find it.
   */
  const ingestAll = async (
    messages: readonly InboundMessage[],
    order: readonly number[],
  ): Promise<{ results: BatchOutcome<IngestResult>[]; later: CommittedNotice[] }> => {
    const column = <T>(pick: (message: InboundMessage) => T): T[] =>
      order.map((position) => pick(messages[position]!));
    const at = now();
    const keys = order.map((position) => dedupeKeysOf(messages[position]!));
    const outcome = await connection.query<{
      o_status: string;
      o_policy_mode: string | null;
      o_policy_window_ms: string | null;
      o_interrupted_version: string | null;
      o_gap_free: boolean;
    }>(sql.ingestBatch, [
      at,
      keys.map((taken) => taken[0]!),
      keys.map((taken) => taken[1] ?? null),
      column((message) => message.messageSid),
      column((message) => message.conversationSid),
      column((message) => message.serviceSid ?? null),
      column((message) => message.channel),
      column((message) => message.customerAddress ?? null),
      column((message) => message.proxyAddress ?? null),
      column((message) => message.index),
      column((message) => message.role),
      column((message) => (message.role === "customer" ? message.dateCreated : null)),
      column((message) => JSON.stringify(message)),
      context.notifyChannel,
      context.instanceId,
      defaultPolicy.mode,
    ]);
    if (outcome.rows.length !== order.length)
      throw new Error("The ingest function answered for a different number of messages.");
    const results: BatchOutcome<IngestResult>[] = [];
    const later: CommittedNotice[] = [];
    outcome.rows.forEach((row, rank) => {
      const position = order[rank]!;
      if (row.o_status === "duplicate") {
        results[position] = { ok: true, value: "duplicate" };
        return;
      }
      results[position] = { ok: true, value: "accepted" };
      const conversationSid = messages[position]!.conversationSid;
      // The function released the running turn's lease (the interrupt rule, mirrored there in
      // SQL) and told the other instances; this one hears it here.
      if (row.o_interrupted_version !== null)
        later.push({ notice: interruptNotice(conversationSid, Number(row.o_interrupted_version)) });
      if (row.o_status === "pending")
        later.push(
          ...ingestNotices(
            conversationSid,
            storedPolicy(row.o_policy_mode, row.o_policy_window_ms, defaultPolicy),
            settleWindowMs,
            row.o_gap_free,
          ),
        );
    });
    return { results, later };
  };

  return createWriteBatcher<InboundMessage, IngestResult>(
    async (messages) => {
      // Every batch (in every process) takes its locks in one global order — conversation,
      // then first dedupe key — so concurrent batches wait for each other instead of
      // deadlocking; a deadlock left (copies under different keys) is retried whole.
      const sortKey = (message: InboundMessage) =>
        `${message.conversationSid}\u0000${dedupeKeysOf(message)[0]}`;
      let remaining = messages
        .map((_, position) => position)
        .sort((a, b) => {
          const left = sortKey(messages[a]!);
          const right = sortKey(messages[b]!);
          return left < right ? -1 : left > right ? 1 : a - b;
        });
      try {
        const { results, later } = await ingestAll(messages, remaining);
        for (const committed of later) context.announce(committed);
        return results;
      } catch (error) {
        // Lost for good (retries spent): nothing more to try. Anything else is one message's
        // fault (a constraint, say), so the statement-by-statement path below isolates it.
        if (isConnectionLost(error) || isRetryableConflict(error)) throw error;
        if (error instanceof MailboxUnavailableError) throw error;
      }
      const results: BatchOutcome<IngestResult>[] = [];
      for (;;) {
        let later: CommittedNotice[] = [];
        try {
          const values = await connection.transaction(
            async (client) => {
              later = [];
              const at = now();
              const written = new Map<number, IngestResult>();
              for (const position of remaining) {
                try {
                  written.set(position, await ingestOne(client, messages[position]!, at, later));
                } catch (error) {
                  if (isConnectionLost(error) || isRetryableConflict(error)) throw error;
                  throw new InputFailed(position, error);
                }
              }
              await context.notifyIn(
                client,
                later.filter((item) => item.delayMs === undefined).map((item) => item.notice),
              );
              return written;
            },
            { idempotent: true },
          );
          for (const [position, value] of values) results[position] = { ok: true, value };
          for (const committed of later) context.announce(committed);
          return results;
        } catch (error) {
          if (!(error instanceof InputFailed)) throw error;
          results[error.position] = { ok: false, error: error.cause };
          remaining = remaining.filter((position) => position !== error.position);
          if (remaining.length === 0) return results;
        }
      }
    },
    { windowMs: context.windowMs, maxBatch: context.maxBatch, concurrency: context.concurrency },
  );
}

/**
 * The conversation's policy from its columns: a burst without its own window (a default-policy
 * conversation switched by an older version) takes the default's window, or none.
 */
function storedPolicy(
  mode: string | null,
  windowMs: string | null,
  defaultPolicy: TurnPolicy,
): TurnPolicy {
  const resolved = mode ?? defaultPolicy.mode;
  if (resolved === "interrupt") return { mode: "interrupt" };
  if (resolved !== "burst") return { mode: "queue" };
  if (windowMs !== null) return { mode: "burst", windowMs: Number(windowMs) };
  return defaultPolicy.mode === "burst" ? defaultPolicy : { mode: "burst", windowMs: 0 };
}
