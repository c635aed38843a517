import type { HistoryMessage } from "../agents/types.js";
import type {
  CustomerHistoryEntry,
  CustomerRecord,
  MailboxStore,
} from "../mailbox/mailbox-store.js";
import { agentHistory } from "./agent-history.js";

/**
 * How many entries of the customer's history are read for `limit` kept: some are dropped
 * (failed replies, echoes, unanswered messages). 0 for 0.
 */
export function memoryReadLimit(limit: number): number {
  return Math.min(200, limit * 2);
}

/**
 * The agent's history with the customer's recent messages from their other conversations
 * (other channels) merged in by time, at most `limit` of them, each marked `elsewhere` with
 * its channel. The turn's own conversation keeps its bound; replies still go only to it.
 * `limit` 0 or no customer: `history` as it is.
 */
export async function withCustomerMemory(
  history: readonly HistoryMessage[],
  settings: {
    mailbox: MailboxStore;
    customer: CustomerRecord | null;
    conversationSid: string;
    limit: number;
    /** The customer's history read already (with the turn's context), at `memoryReadLimit`. */
    lines?: readonly CustomerHistoryEntry[];
  },
): Promise<HistoryMessage[]> {
  const { customer, limit } = settings;
  if (customer === null || limit === 0) return [...history];
  const lines =
    settings.lines ??
    (await settings.mailbox.customerHistory(customer.customerId, {
      limit: memoryReadLimit(limit),
      exceptConversationSid: settings.conversationSid,
    }));
  const elsewhere: HistoryMessage[] = [];
  for (const line of lines) {
    if (line.channel === null) continue;
    for (const message of agentHistory([line.entry], new Set(), 1))
      elsewhere.push({
        ...message,
        elsewhere: { channel: line.channel, conversationSid: line.conversationSid },
      });
  }
  const kept = elsewhere.slice(Math.max(0, elsewhere.length - limit));
  if (kept.length === 0) return [...history];
  // Stable: at equal times this conversation's own messages come last.
  return [...kept, ...history].sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
}
