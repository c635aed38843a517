import type { ConsoleMessage } from "../console-deps.js";

/**
 * Where a message sits in a transcript: its index, or (the agent's replies, which have
 * none yet) just after the message it answers; unplaced messages go last.
 */
export function position(message: ConsoleMessage): number {
  if (typeof message.index === "number") return message.index;
  if (typeof message.afterIndex === "number") return message.afterIndex + 0.5;
  return Number.POSITIVE_INFINITY;
}

function sameMessage(a: ConsoleMessage, b: ConsoleMessage): boolean {
  if (typeof a.index === "number") return a.index === b.index;
  return typeof a.id === "string" && a.id === b.id;
}

/**
 * The transcript with `message` merged in: an update (same index, or same id for a reply
 * without one) replaces its earlier version in place; a new message is placed by
 * `position`, ties (several replies to one message) by time. Returns a new array.
 */
export function mergeMessage(
  messages: readonly ConsoleMessage[],
  message: ConsoleMessage,
): ConsoleMessage[] {
  const existing = messages.findIndex((other) => sameMessage(message, other));
  if (existing !== -1) {
    const next = messages.slice();
    next[existing] = message;
    return next;
  }
  return [...messages, message].sort((a, b) => {
    const left = position(a);
    const right = position(b);
    if (left !== right) return left < right ? -1 : 1;
    return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
  });
}
