import { mergeHistory } from "../core/history-order.js";
import type { HistoryEntry } from "../mailbox-store.js";
import { groupByConversation } from "./group-by-conversation.js";
import { messageRowFrom, outboxRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";

/**
 * The recent history of several conversations at once, each as `history` would give it (at
 * most `limit` entries, oldest first): one statement for their messages and one for their
 * replies, run side by side, whatever the number of conversations. A customer's memory reads
 * up to 20 conversations per turn; one round trip each held a pool connection per
 * conversation, and on PostgreSQL that queued every other query of the instance behind them.
 */
export function postgresHistories(context: Pick<PostgresStoreContext, "connection" | "sql">) {
  const { connection, sql } = context;
  return async (
    conversationSids: readonly string[],
    limit: number,
  ): Promise<Map<string, HistoryEntry[]>> => {
    const histories = new Map<string, HistoryEntry[]>();
    if (conversationSids.length === 0) return histories;
    const sids = [...new Set(conversationSids)];
    const [messages, outbox] = await Promise.all([
      connection.query(sql.recentMessagesOf, [sids, limit]),
      connection.query(sql.recentOutboxOf, [sids, limit]),
    ]);
    const messagesOf = groupByConversation(messages.rows.map(messageRowFrom));
    const outboxOf = groupByConversation(outbox.rows.map(outboxRowFrom));
    for (const sid of sids)
      histories.set(sid, mergeHistory(messagesOf.get(sid) ?? [], outboxOf.get(sid) ?? [], limit));
    return histories;
  };
}
