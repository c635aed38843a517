import type { ConsoleConversation } from "../console-deps.js";
import { channelNames } from "./labels.js";
import { ago } from "./time-format.js";

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

/** How the list is ordered: newest activity first, or longest waiting for a person first. */
export type ConversationOrder = "activity" | "waiting";

/**
 * Newest activity first, then by SID so the order is stable. `waiting`: conversations held
 * by a person come first, the one waiting longest at the top (the queue), then the rest by
 * activity.
 */
export function sortConversations(
  conversations: Iterable<ConsoleConversation>,
  order: ConversationOrder = "activity",
): ConsoleConversation[] {
  const byActivity = (a: ConsoleConversation, b: ConsoleConversation) =>
    a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.sid.localeCompare(b.sid);
  if (order === "activity") return [...conversations].sort(byActivity);
  return [...conversations].sort((a, b) => {
    const since = (conversation: ConsoleConversation) =>
      conversation.state === "human" ? (conversation.handoff?.since ?? "") : undefined;
    const [left, right] = [since(a), since(b)];
    if (left !== undefined && right !== undefined && left !== right) return left < right ? -1 : 1;
    if (left !== undefined && right === undefined) return -1;
    if (left === undefined && right !== undefined) return 1;
    return byActivity(a, b);
  });
}

/** "waiting 12 min" for a conversation a person holds, from its handoff; else undefined. */
export function waitingLabel(
  conversation: ConsoleConversation,
  now: Date = new Date(),
): string | undefined {
  if (conversation.state !== "human" || conversation.handoff === undefined) return undefined;
  const age = ago(conversation.handoff.since, now);
  return age === "now" ? "waiting since now" : `waiting ${age}`;
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
