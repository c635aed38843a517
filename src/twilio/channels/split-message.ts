/** Options of {@link splitMessage}. */
export interface SplitMessageOptions {
  /** The most UTF-16 code units per part (Twilio: 1600 for SMS and WhatsApp). */
  limit: number;
  /**
   * Append " (1/3)"-style markers when there is more than one part; they count within
   * the limit. Default false.
   */
  markers?: boolean;
}

/**
 * Splits a message into parts of at most `limit` characters without losing any text.
 *
 * Where it cuts, best first: a paragraph break, a line break, the end of a sentence, a
 * space — each only if it keeps the part at least a third full, so one short paragraph
 * does not become a message of its own. A word longer than the limit is cut between
 * graphemes (never inside a surrogate pair or an emoji sequence). Whitespace at a cut is
 * dropped; everything else is kept, in order. Empty or blank text gives no parts.
 *
 * The limit is counted in UTF-16 code units (JavaScript's `length`): an emoji counts as
 * two, which is how Twilio counts against its 1600-character cap, and never less.
 */
export function splitMessage(text: string, options: SplitMessageOptions): string[] {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`splitMessage: limit must be a positive integer; got ${limit}.`);
  }
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.length <= limit) return [trimmed];
  if (options.markers !== true) return cut(trimmed, () => limit);

  // A marker's length depends on the number of parts, which depends on the room the
  // markers leave: reserve for a guess and grow the guess until the count fits it.
  for (let digits = 1; digits <= 6; digits++) {
    const reserve = ` (${"9".repeat(digits)}/${"9".repeat(digits)})`.length;
    if (limit - reserve < 1) break;
    const parts = cut(trimmed, () => limit - reserve);
    if (String(parts.length).length <= digits) {
      return parts.map((part, position) => `${part} (${position + 1}/${parts.length})`);
    }
  }
  throw new RangeError(
    `splitMessage: limit ${limit} leaves no room for part markers; raise the limit or turn markers off.`,
  );
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function cut(text: string, budget: () => number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest !== "") {
    const room = budget();
    if (rest.length <= room) {
      parts.push(rest);
      break;
    }
    const at = cutPoint(rest, room);
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  return parts;
}

/** The position to cut `text` at so that the part before it fits in `room`. */
function cutPoint(text: string, room: number): number {
  // The part ends before whitespace found at or before index `room`.
  const window = text.slice(0, room + 1);
  const minimum = Math.ceil(room / 3);
  for (const boundary of [/\n[^\S\n]*\n\s*/g, /\n\s*/g, /(?<=[.!?…。！？]['")\]»”’]*)\s+/g]) {
    const position = lastMatch(window, boundary);
    if (position !== undefined && position >= minimum) return position;
  }
  const space = lastMatch(window, /\s+/g);
  if (space !== undefined && space > 0) return space;
  return graphemeCut(text, room);
}

function lastMatch(window: string, pattern: RegExp): number | undefined {
  let last: number | undefined;
  for (const match of window.matchAll(pattern)) {
    if (match.index > 0) last = match.index;
  }
  return last;
}

/** The last grapheme boundary at or before `room`; a surrogate-safe cut if none fits. */
function graphemeCut(text: string, room: number): number {
  let position = 0;
  for (const { index, segment } of segmenter.segment(text.slice(0, room + 64))) {
    if (index + segment.length > room) break;
    position = index + segment.length;
  }
  if (position > 0) return position;
  // One grapheme longer than the room (an absurdly long combining sequence): cut it, but
  // never between the halves of a surrogate pair.
  const code = text.charCodeAt(room - 1);
  return code >= 0xd800 && code <= 0xdbff && room > 1 ? room - 1 : room;
}
