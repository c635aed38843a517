import type { ConsoleConversation } from "../console-deps.js";
import { channelNames } from "./labels.js";

/** What the list shows: everything, or only conversations that wait for a person. */
export interface ConversationFilter {
  /** Words to find in the customer's address, channel or last message (any case). */
  query: string;
  /** Only conversations a person must act on: held by a person, or dead-lettered. */
  waitingOnly: boolean;
}

/** Whether the conversation needs a person: taken over, or the bot gave up on it. */
export function waitsForPerson(conversation: ConsoleConversation): boolean {
  return conversation.state === "human" || conversation.state === "dead";
}

/** Newest activity first, then by SID so the order is stable. */
export function sortConversations(
  conversations: Iterable<ConsoleConversation>,
): ConsoleConversation[] {
  return [...conversations].sort((a, b) =>
    a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.sid.localeCompare(b.sid),
  );
}

/** The conversations matching `filter`; every word of the query must match somewhere. */
export function filterConversations(
  conversations: readonly ConsoleConversation[],
  filter: ConversationFilter,
): ConsoleConversation[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  return conversations.filter((conversation) => {
    if (filter.waitingOnly && !waitsForPerson(conversation)) return false;
    if (words.length === 0) return true;
    const haystack = [
      conversation.customer,
      channelNames[conversation.channel] ?? "",
      conversation.lastMessage?.body ?? "",
    ]
      .join(" ")
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
