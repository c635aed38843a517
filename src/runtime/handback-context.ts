import type { HandbackInfo } from "../agents/types.js";
import type { HandoffNote, HistoryEntry } from "../mailbox/mailbox-store.js";

/**
 * What the agent is told on the first turn after a person held the conversation: who gave it
 * back, when, what the person wrote meanwhile. Undefined when the conversation was never
 * handed off, a person still has it, or the agent already answered since it came back.
 */
export function handbackOf(
  note: HandoffNote | null,
  entries: readonly HistoryEntry[],
): HandbackInfo | undefined {
  if (note === null || note.releasedAt === null || note.releasedBy === null) return undefined;
  const releasedAt = note.releasedAt;
  const answeredSince = entries.some(
    (entry) =>
      entry.direction === "outbound" &&
      entry.createdAt >= releasedAt &&
      !entry.replyId.includes(".handback-"),
  );
  if (answeredSince) return undefined;
  const staffMessages = entries.flatMap((entry) =>
    entry.direction === "inbound" &&
    entry.role === "human" &&
    entry.ingestedAt >= note.startedAt &&
    entry.ingestedAt <= releasedAt &&
    entry.body !== null
      ? [entry.body]
      : [],
  );
  const who =
    note.releasedBy === "operator"
      ? "A staff member handed the conversation back to you"
      : "Nobody from the staff picked the handoff up in time, so it came back to you";
  const wrote =
    staffMessages.length === 0
      ? "No staff member wrote to the customer meanwhile."
      : `Meanwhile the staff wrote: ${staffMessages.map((text) => `"${text}"`).join(" / ")}.`;
  return {
    by: note.releasedBy,
    heldFrom: new Date(note.startedAt),
    heldUntil: new Date(releasedAt),
    reason: note.reason,
    summary: note.summary,
    staffMessages,
    note: `${who} (handed off because: ${note.reason}). ${wrote}`,
  };
}
