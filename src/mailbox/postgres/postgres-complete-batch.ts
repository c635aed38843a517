import { lastIndexOf } from "../core/turn-rules.js";
import { completeNotices } from "../core/work-notices.js";
import { LeaseLostError } from "../mailbox-errors.js";
import type { CompletedTurn, Lease, OutboundReply } from "../mailbox-store.js";
import { replyIdFor } from "../reply-id.js";
import { serialiseReply } from "../sqlite-rows.js";
import { type BatchOutcome, createWriteBatcher, eachAloneOnFailure } from "../write-batcher.js";
import { conversationRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";

/** One `complete`: its lease, replies and handoff flag (checked by the caller). */
export interface CompleteAsk {
  lease: Lease;
  replies: readonly OutboundReply[];
  handoff: boolean;
}

/** Batches of completions committing at once (each holds a connection for one round trip). */
const completesInFlight = 3;

/**
 * `complete` on PostgreSQL: complete_turn (migration 15) per turn, in autocommit. Turns
 * finishing in the same loop turn (claimed together, they finish together) share one
 * statement, each still its own complete_turn call fenced by its own lease; the calls run in
 * conversation order, so two batches never wait on each other's rows in opposite orders.
 * Should the statement fail (one turn's replies the database refuses), each turn is
 * completed alone, so an error is only its own turn's. A commit cut by a lost connection is
 * verified per lease: the statement is one transaction, so if any of its turns shows the
 * outcome all of them landed (a turn that shows none lost its lease), otherwise it is run
 * again.
 */
export function createCompleteBatch(
  context: Pick<PostgresStoreContext, "connection" | "sql" | "settings" | "write">,
) {
  const { connection, sql, settings, write } = context;

  /** After a commit interrupted by a lost connection: did this lease's outcome land? */
  const landed = async (lease: Lease) => {
    const raw = (await connection.query(sql.conversation, [lease.conversationSid])).rows[0];
    if (raw === undefined) return false;
    const row = conversationRowFrom(raw);
    // The lease version changes only on claims and handoffs, so the same version in a
    // released state means our write committed.
    return row.lease_version === lease.leaseVersion && ["idle", "handoff"].includes(row.state);
  };

  const replyIdsOf = (ask: CompleteAsk) =>
    ask.replies.map((_, position) => replyIdFor(ask.lease.turnId, position));

  const outcomeOf = (ask: CompleteAsk, done: boolean): BatchOutcome<CompletedTurn> =>
    done
      ? { ok: true, value: { replyIds: replyIdsOf(ask) } }
      : { ok: false, error: new LeaseLostError(ask.lease.conversationSid, ask.lease.leaseVersion) };

  const completeAll = (asks: readonly CompleteAsk[]): Promise<BatchOutcome<CompletedTurn>[]> =>
    write(
      async (client, notices) => {
        const at = settings.now();
        const ordered = asks
          .map((ask, position) => ({ ask, position }))
          .sort((a, b) =>
            a.ask.lease.conversationSid < b.ask.lease.conversationSid
              ? -1
              : a.ask.lease.conversationSid > b.ask.lease.conversationSid
                ? 1
                : a.position - b.position,
          );
        const { rows } = await client.query<{
          position: number;
          outcome: string;
          pending_left: boolean;
        }>(sql.completeTurns, [
          JSON.stringify(
            ordered.map(({ ask, position }) => ({
              position,
              sid: ask.lease.conversationSid,
              version: ask.lease.leaseVersion,
              owner: ask.lease.workerId,
              message_sids: ask.lease.messages.map((message) => message.messageSid),
              handoff: ask.handoff,
              last_index: lastIndexOf(ask.lease.messages),
              turn_id: ask.lease.turnId,
              reply_ids: replyIdsOf(ask),
              positions: ask.replies.map((_, index) => index),
              replies: ask.replies.map(serialiseReply),
            })),
          ),
          at,
        ]);
        // Position → whether messages still wait (it wakes a turn claim only then).
        const done = new Map(
          rows
            .filter((row) => row.outcome === "done")
            .map((row) => [Number(row.position), row.pending_left]),
        );
        return asks.map((ask, position) => {
          const pendingLeft = done.get(position);
          if (pendingLeft !== undefined)
            notices.push(
              ...completeNotices(
                ask.lease.conversationSid,
                ask.replies.length,
                ask.handoff,
                pendingLeft,
              ),
            );
          return outcomeOf(ask, done.has(position));
        });
      },
      {
        idempotent: false,
        singleStatement: true,
        verify: async () => {
          const shown = await Promise.all(asks.map((ask) => landed(ask.lease)));
          if (!shown.some(Boolean)) return { committed: false };
          return {
            committed: true,
            value: asks.map((ask, position) => outcomeOf(ask, shown[position] === true)),
          };
        },
      },
    );

  const batch = createWriteBatcher<CompleteAsk, CompletedTurn>(eachAloneOnFailure(completeAll), {
    windowMs: 0,
    maxBatch: 50,
    concurrency: completesInFlight,
  });
  return batch;
}
