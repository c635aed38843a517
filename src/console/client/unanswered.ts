import type { ConsoleMessage } from "../console-deps.js";

/**
 * The customer's messages that arrived while a person held the conversation and that no
 * person answered: the bot never answers those (they were the person's to answer), so
 * after a hand-back they would sit unanswered unless someone notices. A person's reply
 * after them counts as the answer.
 */
export function unansweredDuringHold(messages: readonly ConsoleMessage[]): ConsoleMessage[] {
  let waiting: ConsoleMessage[] = [];
  for (const message of messages) {
    if (message.role === "customer" && message.status === "handoff") waiting.push(message);
    else if (message.role === "human") waiting = [];
  }
  return waiting;
}
