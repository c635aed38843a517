import type { HistoryMessage } from "./types.js";

/** How much history an agent keeps; the newest messages win. */
export interface HistoryBounds {
  /** At most this many messages. Default 20. */
  maxMessages?: number;
  /** At most this many characters of text in all kept messages together. Default 12 000. */
  maxCharacters?: number;
}

/**
 * The newest messages of `history` that fit the bounds, oldest first. A long conversation
 * must not grow the prompt (and the bill) without limit, and the latest context matters
 * most. It stops at the first message that does not fit (never cutting one), so what the
 * agent sees is a contiguous, unaltered stretch of the conversation.
 */
export function boundHistory(
  history: readonly HistoryMessage[],
  bounds: HistoryBounds = {},
): HistoryMessage[] {
  const maxMessages = bounds.maxMessages ?? 20;
  const maxCharacters = bounds.maxCharacters ?? 12_000;
  const kept: HistoryMessage[] = [];
  let characters = 0;
  for (let position = history.length - 1; position >= 0 && kept.length < maxMessages; position--) {
    const message = history[position]!;
    if (characters + message.text.length > maxCharacters) break;
    characters += message.text.length;
    kept.push(message);
  }
  return kept.reverse();
}
