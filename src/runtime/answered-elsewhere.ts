import type { HistoryEntry, InboundMessage } from "../mailbox/mailbox-store.js";
import { replyIdOf } from "./reply-attributes.js";

/**
 * The reply id of a switchboard reply that Twilio's history shows after every message of a
 * turn while this mailbox never queued it — the turn was answered by another switchboard on
 * the same Twilio service, or by this one before its mailbox was restored from an older copy.
 * Catch-up stores such a reply (role `bot`) in the same commit as the messages it answers,
 * so the turn sees it. Undefined when the turn is not answered elsewhere.
 *
 * A reply of our own outbox never counts: a message whose webhook was lost below one of our
 * replies (which answered an earlier turn) is still owed its answer.
 */
export function answeredElsewhere(
  turn: readonly Pick<InboundMessage, "index">[],
  history: readonly HistoryEntry[],
): string | undefined {
  if (turn.length === 0) return undefined;
  const last = Math.max(...turn.map((message) => message.index));
  const ours = new Set<string>();
  for (const entry of history) if (entry.direction === "outbound") ours.add(entry.replyId);
  for (const entry of history) {
    if (entry.direction !== "inbound" || entry.role !== "bot" || entry.index <= last) continue;
    const replyId = replyIdOf(entry.attributes);
    if (replyId !== undefined && !ours.has(replyId)) return replyId;
  }
  return undefined;
}
