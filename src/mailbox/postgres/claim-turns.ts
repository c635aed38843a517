import type pg from "pg";
import { leaseOf } from "../core/lease-of.js";
import {
  attemptOfClaim,
  cutTurn,
  expiredLeaseDeadLetter,
  isClaimable,
  maxTurnMessages,
  policyOf,
  recordedChecks,
  turnCandidates,
} from "../core/turn-rules.js";
import type { Lease, TurnPolicy } from "../mailbox-store.js";
import {
  type ConversationRow,
  type MessageRow,
  toConversation,
  turnMessageSids,
} from "../sqlite-rows.js";
import { conversationRowFrom, messageRowFrom } from "./postgres-rows.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** What claiming needs besides the transaction's client. */
export interface ClaimContext {
  sql: PostgresStatements;
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
  /** This store instance: its liveness row covers the leases it takes. */
  instanceId: string;
}

/**
 * Inside a transaction: leases up to `max` conversations. Candidates are locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claimers in any process never get the same
 * conversation and never wait for each other; each locked candidate is then re-read (a new
 * statement sees everything committed before the lock was taken) and re-checked with the same
 * rules (`core/turn-rules.ts`) as the SQLite store before it is leased.
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
  if (
    candidate === undefined ||
    !isClaimable(
      {
        state: candidate.state,
        pendingCount: candidate.pending_count,
        nextAttemptAt: candidate.next_attempt_at,
        leaseExpiresAt: candidate.lease_expires_at,
        attempts: candidate.attempts,
      },
      at,
    )
  )
    return undefined;
  const deadReason = expiredLeaseDeadLetter(candidate, maxAttempts);
  if (deadReason !== undefined) {
    await client.query(sql.deadLetter, [deadReason, at, sid]);
    return undefined;
  }
  const turn = await pickTurn(client, context, candidate, at);
  const first = turn[0];
  if (first === undefined) return undefined;
  const attempts = attemptOfClaim(
    turnMessageSids(candidate)[0],
    candidate.attempts,
    first.message_sid,
  );
  const sids = turn.map((message) => message.message_sid);
  const leased = await client.query(sql.lease, [
    sid,
    workerId,
    at + leaseMs,
    attempts,
    sids,
    at,
    context.instanceId,
  ]);
  const conversation = toConversation(conversationRowFrom(leased.rows[0]), defaultPolicy);
  return leaseOf(
    { workerId, at, leaseMs, attempt: attempts },
    turn,
    candidate.last_processed_index,
    conversation,
  );
}

/**
 * The next turn's messages, or none while the settle or burst window holds it back. The
 * ranges the settle rule needs counted are counted in one round trip.
 */
async function pickTurn(
  client: pg.ClientBase,
  context: ClaimContext,
  conversation: ConversationRow,
  at: number,
): Promise<MessageRow[]> {
  const { sql, settleWindowMs, defaultPolicy } = context;
  const pending = (
    await client.query(sql.pending, [conversation.conversation_sid, maxTurnMessages])
  ).rows
    .map(messageRowFrom)
    .map((row) => ({ row, index: row.message_index, ingestedAt: row.ingested_at }));
  const candidates = turnCandidates(pending, policyOf(conversation.policy, defaultPolicy), at);
  const checks = recordedChecks(candidates, conversation.last_processed_index, at, settleWindowMs);
  let recorded: number[] = [];
  if (checks.length > 0) {
    const { rows } = await client.query<{ recorded: number }>(sql.recordedIndexes, [
      conversation.conversation_sid,
      checks.map(({ above }) => above),
      checks.map(({ below }) => below),
    ]);
    recorded = rows.map((row) => Number(row.recorded));
  }
  return cutTurn(candidates, checks, recorded).map((candidate) => candidate.row);
}
