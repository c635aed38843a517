import type { ConversationRecord, CustomerHistoryEntry, HistoryEntry } from "../mailbox-store.js";

/** When a history entry happened: an inbound message's `dateCreated`, a reply's `createdAt`. */
export function historyEntryTime(entry: HistoryEntry): number {
  return entry.direction === "inbound" ? entry.dateCreated : entry.createdAt;
}

/**
 * Merges the histories of a customer's conversations into the last `limit` entries, oldest
 * first: by time, then conversation SID, then each conversation's own order. Both stores read
 * each conversation's recent history with `history` and merge it here.
 */
export function mergeCustomerHistory(
  histories: readonly { conversation: ConversationRecord; entries: readonly HistoryEntry[] }[],
  limit: number,
): CustomerHistoryEntry[] {
  const lines = histories.flatMap(({ conversation, entries }) =>
    entries.map((entry, position) => ({
      position,
      line: {
        conversationSid: conversation.conversationSid,
        channel: conversation.channel,
        at: historyEntryTime(entry),
        entry,
      } satisfies CustomerHistoryEntry,
    })),
  );
  lines.sort(
    (a, b) =>
      a.line.at - b.line.at ||
      (a.line.conversationSid < b.line.conversationSid
        ? -1
        : a.line.conversationSid > b.line.conversationSid
          ? 1
          : a.position - b.position),
  );
  return lines.slice(-limit).map((item) => item.line);
}
