import type pg from "pg";
import type { Lease, LeasedMessage, TurnPolicy } from "../mailbox-store.js";
import {
  type ConversationRow,
  type MessageRow,
  toConversation,
  toStoredMessage,
} from "../sqlite-rows.js";
import { conversationRowFrom, messageRowFrom } from "./postgres-rows.js";
import type { PostgresStatements } from "./postgres-statements.js";

const maxBatchMessages = 100;

/** What claiming needs besides the transaction's client. */
export interface ClaimContext {
  sql: PostgresStatements;
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
}

/**
 * Inside a transaction: leases up to `max` conversations. Candidates are locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claimers in any process never get the same
 * conversation and never wait for each other; each locked candidate is then re-read (a new
 * statement sees everything committed before the lock was taken) and re-checked with the same
 * rules as the SQLite store before it is leased.
 */
export async function claimTurns(
  client: pg.ClientBase,
  context: ClaimContext,
  request: { workerId: string; max: number; leaseMs: number; at: number },
): Promise<Lease[]> {
  const { sql, settleWindowMs, maxAttempts, defaultPolicy } = context;
  const { max, at } = request;
  const leases: Lease[] = [];
  const seen: string[] = [];
  while (leases.length < max) {
    const candidates = await client.query<{ conversation_sid: string }>(sql.candidates, [
      at,
      maxAttempts,
      max - leases.length,
      settleWindowMs,
      seen,
      defaultPolicy.mode,
      defaultPolicy.mode === "burst" ? defaultPolicy.windowMs : 0,
    ]);
    if (candidates.rows.length === 0) break;
    for (const { conversation_sid: sid } of candidates.rows) {
      seen.push(sid);
      const lease = await leaseOne(client, context, sid, request);
      if (lease !== undefined) leases.push(lease);
    }
  }
  return leases;
}

async function readConversation(client: pg.ClientBase, sql: PostgresStatements, sid: string) {
  const raw = (await client.query(sql.conversation, [sid])).rows[0];
  return raw === undefined ? undefined : conversationRowFrom(raw);
}

async function leaseOne(
  client: pg.ClientBase,
  context: ClaimContext,
  sid: string,
  request: { workerId: string; leaseMs: number; at: number },
): Promise<Lease | undefined> {
  const { sql, maxAttempts, defaultPolicy } = context;
  const { workerId, leaseMs, at } = request;
  const candidate = await readConversation(client, sql, sid);
  if (candidate === undefined || candidate.pending_count === 0) return undefined;
  const eligible =
    candidate.state === "idle" ||
    (candidate.state === "backoff" && (candidate.next_attempt_at ?? 0) <= at) ||
    (candidate.state === "leased" && (candidate.lease_expires_at ?? 0) <= at);
  if (!eligible) return undefined;
  if (candidate.state === "leased" && candidate.attempts >= maxAttempts) {
    // A turn that keeps killing its worker must not loop forever (invariant 6).
    await client.query(sql.deadLetter, [
      `the lease expired ${candidate.attempts} times without the turn completing`,
      at,
      sid,
    ]);
    return undefined;
  }
  const turn = await pickTurn(client, context, candidate, at);
  const first = turn[0];
  if (first === undefined) return undefined;
  const sids = turn.map((message) => message.message_sid);
  // A different first message (a late lower index) is a new turn: its attempts restart.
  const previous =
    candidate.turn_message_sids === null
      ? undefined
      : (JSON.parse(candidate.turn_message_sids) as string[])[0];
  const attempts = previous === first.message_sid ? candidate.attempts + 1 : 1;
  await client.query(sql.lease, [sid, workerId, at + leaseMs, attempts, sids, at]);
  const leased = await readConversation(client, sql, sid);
  const conversation = toConversation(leased!, defaultPolicy);
  const lastProcessed = candidate.last_processed_index ?? -1;
  const messages: LeasedMessage[] = turn.map((row) => ({
    ...toStoredMessage(row),
    late: row.message_index < lastProcessed,
  }));
  return {
    conversationSid: sid,
    workerId,
    leaseVersion: conversation.leaseVersion,
    expiresAt: at + leaseMs,
    leaseMs,
    turnId: first.message_sid,
    attempt: attempts,
    messages,
    conversation,
  };
}

/** The next turn's messages, or none while the settle or burst window holds it back. */
async function pickTurn(
  client: pg.ClientBase,
  context: ClaimContext,
  conversation: ConversationRow,
  at: number,
): Promise<MessageRow[]> {
  const { sql, settleWindowMs, defaultPolicy } = context;
  const pending = (
    await client.query(sql.pending, [conversation.conversation_sid, maxBatchMessages])
  ).rows.map(messageRowFrom);
  const first = pending[0];
  if (first === undefined) return [];
  const policy =
    conversation.policy === null ? defaultPolicy : (JSON.parse(conversation.policy) as TurnPolicy);
  // The messages that may make up the turn, in Index order, before the settle rule.
  const candidates: MessageRow[] = [first];
  if (policy.mode === "burst") {
    const windowEnd = first.ingested_at + policy.windowMs;
    if (at < windowEnd) return [];
    // The window is half-open, [first, first + windowMs): a message ingested exactly at its
    // end starts the next turn, so the turn's content is fixed once it is due. Stop, not
    // skip: a lower index ingested after the window must not be answered after higher ones
    // taken now (it would come out of order, wrongly marked late).
    for (const message of pending.slice(1)) {
      if (message.ingested_at >= windowEnd) break;
      candidates.push(message);
    }
  }
  // Each message needs the indexes above the last processed one recorded, and in a burst
  // only those above the turn's previous message, which is answered with it.
  const lastProcessed = conversation.last_processed_index ?? -1;
  const checks = candidates.map((message, position) => ({
    message,
    above: Math.max(lastProcessed, candidates[position - 1]?.message_index ?? -1),
  }));
  // The settle rule documented on `MailboxStore.claim`; the range counts in one round trip.
  const counted = checks.filter(
    ({ message, above }) =>
      message.message_index - 1 > above && at - message.ingested_at < settleWindowMs,
  );
  const unsettled = new Set<MessageRow>();
  if (counted.length > 0) {
    const { rows } = await client.query<{ recorded: number }>(sql.recordedIndexes, [
      conversation.conversation_sid,
      counted.map(({ above }) => above),
      counted.map(({ message }) => message.message_index),
    ]);
    counted.forEach(({ message, above }, position) => {
      if (rows[position]?.recorded !== message.message_index - 1 - above) unsettled.add(message);
    });
  }
  const turn: MessageRow[] = [];
  for (const message of candidates) {
    if (unsettled.has(message)) break;
    turn.push(message);
  }
  return turn;
}
