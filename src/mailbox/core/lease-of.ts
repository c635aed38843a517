import type { ConversationRecord, Lease, LeasedMessage } from "../mailbox-store.js";
import { type MessageRow, toStoredMessage } from "../sqlite-rows.js";
import { isLate } from "./turn-rules.js";

/**
 * The `Lease` a claim hands out, built the same way by both stores from what they just wrote:
 * the turn's rows (in `Index` order, first one the turn id), the attempt number, and the
 * conversation as re-read after the lease (its `leaseVersion` is the fencing token).
 */
export function leaseOf(
  claim: { workerId: string; at: number; leaseMs: number; attempt: number },
  turn: readonly MessageRow[],
  /** The last processed index before this claim: lower messages are `late`. */
  lastProcessedIndex: number | null,
  conversation: ConversationRecord,
): Lease {
  return {
    conversationSid: conversation.conversationSid,
    workerId: claim.workerId,
    leaseVersion: conversation.leaseVersion,
    expiresAt: claim.at + claim.leaseMs,
    leaseMs: claim.leaseMs,
    turnId: turn[0]!.message_sid,
    attempt: claim.attempt,
    messages: turn.map(
      (row): LeasedMessage => ({
        ...toStoredMessage(row),
        late: isLate(row.message_index, lastProcessedIndex),
      }),
    ),
    conversation,
  };
}
