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
 * conversation and never wait for each other; the locked candidates are then re-read (a new
 * statement sees everything committed before the lock was taken) and re-checked with the same
 * rules (`core/turn-rules.ts`) as the SQLite store before they are leased.
 *
 * Every step covers all candidates of a round at once — their rows, their pending messages,
 * the settle rule's counts, the leases — so a claim of eight turns costs about as many round
 * trips as a claim of one (BEGIN, candidates, rows, pending, counts, lease, COMMIT). One per
 * candidate made the claim, which the worker loop awaits before it starts any of the turns,
 * the longest chain of waits on the PostgreSQL turn path.
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
    const sids = candidates.rows.map((row) => row.conversation_sid);
    seen.push(...sids);
    leases.push(...(await leaseAll(client, context, sids, request)));
  }
  return leases;
}

/** A locked candidate that passed the checks, with the messages of its turn. */
interface Picked {
  candidate: ConversationRow;
  turn: MessageRow[];
  attempts: number;
}

async function leaseAll(
  client: pg.ClientBase,
  context: ClaimContext,
  sids: readonly string[],
  request: { workerId: string; leaseMs: number; at: number },
): Promise<Lease[]> {
  const { sql, maxAttempts, defaultPolicy } = context;
  const { workerId, leaseMs, at } = request;
  const rows = (await client.query(sql.conversationsOf, [sids])).rows.map(conversationRowFrom);
  const bySid = new Map(rows.map((row) => [row.conversation_sid, row]));
  const claimable: ConversationRow[] = [];
  // In the candidates' order (oldest waiting first), which the leases keep.
  for (const sid of sids) {
    const candidate = bySid.get(sid);
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
      continue;
    const deadReason = expiredLeaseDeadLetter(candidate, maxAttempts);
    if (deadReason !== undefined) {
      await client.query(sql.deadLetter, [deadReason, at, sid]);
      continue;
    }
    claimable.push(candidate);
  }
  const picked = await pickTurns(client, context, claimable, at);
  if (picked.length === 0) return [];
  const leased = await client.query(sql.leaseMany, [
    JSON.stringify(
      picked.map(({ candidate, turn, attempts }) => ({
        sid: candidate.conversation_sid,
        attempts,
        turn: turn.map((message) => message.message_sid),
      })),
    ),
    workerId,
    at + leaseMs,
    at,
    context.instanceId,
  ]);
  const leasedBySid = new Map(
    leased.rows.map((raw) => {
      const row = conversationRowFrom(raw);
      return [row.conversation_sid, row];
    }),
  );
  return picked.flatMap(({ candidate, turn, attempts }) => {
    const row = leasedBySid.get(candidate.conversation_sid);
    if (row === undefined) return [];
    return [
      leaseOf(
        { workerId, at, leaseMs, attempt: attempts },
        turn,
        candidate.last_processed_index,
        toConversation(row, defaultPolicy),
      ),
    ];
  });
}

/**
 * Each candidate's next turn, or none while the settle or burst window holds it back: the
 * pending messages of all candidates in one statement, and every range the settle rule
 * needs counted, for all of them, in one more.
 */
async function pickTurns(
  client: pg.ClientBase,
  context: ClaimContext,
  conversations: readonly ConversationRow[],
  at: number,
): Promise<Picked[]> {
  if (conversations.length === 0) return [];
  const { sql, settleWindowMs, defaultPolicy } = context;
  const pendingRows = (
    await client.query(sql.pendingOf, [
      conversations.map((conversation) => conversation.conversation_sid),
      maxTurnMessages,
    ])
  ).rows.map(messageRowFrom);
  const pendingOf = new Map<string, MessageRow[]>();
  for (const row of pendingRows) {
    const list = pendingOf.get(row.conversation_sid);
    if (list === undefined) pendingOf.set(row.conversation_sid, [row]);
    else list.push(row);
  }
  const planned = conversations.map((conversation) => {
    const pending = (pendingOf.get(conversation.conversation_sid) ?? []).map((row) => ({
      row,
      index: row.message_index,
      ingestedAt: row.ingested_at,
    }));
    const candidates = turnCandidates(pending, policyOf(conversation.policy, defaultPolicy), at);
    const checks = recordedChecks(
      candidates,
      conversation.last_processed_index,
      at,
      settleWindowMs,
    );
    return { conversation, candidates, checks };
  });
  const asked = planned.flatMap(({ conversation, checks }) =>
    checks.map((check) => ({ sid: conversation.conversation_sid, ...check })),
  );
  let counts: number[] = [];
  if (asked.length > 0) {
    const { rows } = await client.query<{ recorded: number }>(sql.recordedIndexesOf, [
      asked.map(({ sid }) => sid),
      asked.map(({ above }) => above),
      asked.map(({ below }) => below),
    ]);
    counts = rows.map((row) => Number(row.recorded));
  }
  const picked: Picked[] = [];
  let offset = 0;
  for (const { conversation, candidates, checks } of planned) {
    const recorded = counts.slice(offset, offset + checks.length);
    offset += checks.length;
    const turn = cutTurn(candidates, checks, recorded).map((candidate) => candidate.row);
    const first = turn[0];
    if (first === undefined) continue;
    const attempts = attemptOfClaim(
      turnMessageSids(conversation)[0],
      conversation.attempts,
      first.message_sid,
    );
    picked.push({ candidate: conversation, turn, attempts });
  }
  return picked;
}
