import type pg from "pg";
import { leaseOf } from "../core/lease-of.js";
import { maxTurnMessages } from "../core/turn-rules.js";
import type { Lease, TurnPolicy } from "../mailbox-store.js";
import { toConversation } from "../sqlite-rows.js";
import { conversationRowFrom, messageRowFrom } from "./postgres-rows.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** What claiming needs besides the client. */
export interface ClaimContext {
  sql: PostgresStatements;
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
  /** This store instance: its liveness row covers the leases it takes. */
  instanceId: string;
}

/** One row of `claim_turns`: a lease taken, with its conversation and turn as JSON. */
interface ClaimedRow {
  o_conversation: Record<string, unknown>;
  o_pending_count: number;
  o_last_processed: string | null;
  o_attempts: number;
  o_messages: Record<string, unknown>[];
}

/**
 * Leases up to `max` conversations in ONE statement, in autocommit: `claim_turns`
 * (postgres-schema.ts, migration 16; 19 leaves dead letters out) walks the pending messages
 * oldest first, locks each conversation with `FOR UPDATE SKIP LOCKED` (concurrent claimers in
 * any process never get the same conversation and never wait for each other), applies the
 * turn rules and leases, and stops once `max` are leased. The function re-states the rules of
 * `core/turn-rules.ts`, which the SQLite store runs in TypeScript; the store contract suite
 * holds both to the same cases.
 * It replaced a claim of about seven round trips (BEGIN, candidates, rows, pending, counts,
 * lease, COMMIT) whose candidates query evaluated the rules for every waiting conversation
 * before its LIMIT: its cost grew with the backlog, the longest wait on the turn path.
 */
export async function claimTurns(
  client: pg.ClientBase,
  context: ClaimContext,
  request: { workerId: string; max: number; leaseMs: number; at: number },
): Promise<Lease[]> {
  const { sql, settleWindowMs, maxAttempts, defaultPolicy } = context;
  const { workerId, max, leaseMs, at } = request;
  const { rows } = await client.query<ClaimedRow>(sql.claimTurnsCall, [
    workerId,
    max,
    at + leaseMs,
    at,
    context.instanceId,
    settleWindowMs,
    maxAttempts,
    defaultPolicy.mode,
    defaultPolicy.mode === "burst" ? defaultPolicy.windowMs : 0,
    maxTurnMessages,
  ]);
  return rows.map((row) => {
    const conversation = conversationRowFrom({
      ...row.o_conversation,
      pending_count: row.o_pending_count,
    });
    return leaseOf(
      { workerId, at, leaseMs, attempt: Number(row.o_attempts) },
      row.o_messages.map(messageRowFrom),
      row.o_last_processed === null ? null : Number(row.o_last_processed),
      toConversation(conversation, defaultPolicy),
    );
  });
}
