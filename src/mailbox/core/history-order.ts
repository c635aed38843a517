import type { HistoryEntry } from "../mailbox-store.js";
import {
  type MessageRow,
  type OutboxRow,
  toOutboundHistory,
  toStoredMessage,
} from "../sqlite-rows.js";

/**
 * The last `limit` history entries, oldest first: inbound messages by `Index`, each reply
 * right after the turn it answers (by its `after_index`, then its place in the conversation's
 * outbox). Both stores read the most recent rows of each table and merge them here.
 */
export function mergeHistory(
  messages: readonly MessageRow[],
  outbox: readonly OutboxRow[],
  limit: number,
): HistoryEntry[] {
  const inbound = messages.map((row) => ({
    key: [row.message_index, 0, 0] as const,
    entry: { direction: "inbound", ...toStoredMessage(row) } as HistoryEntry,
  }));
  const outbound = outbox.map((row) => ({
    key: [row.after_index, 1, row.seq] as const,
    entry: toOutboundHistory(row),
  }));
  const merged = [...inbound, ...outbound].sort(
    (a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2],
  );
  return merged.slice(-limit).map((item) => item.entry);
}
