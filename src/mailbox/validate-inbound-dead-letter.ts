import { MailboxInputError } from "./mailbox-errors.js";
import type { InboundDeadLetter, InboundDeadLetterInput } from "./mailbox-store.js";

/** Bounds of the inbound dead letters, the same in every store. */
export const inboundDeadLetterLimits = {
  /** Rows kept: the oldest beyond this are dropped on insert. */
  kept: 1_000,
  sidLength: 64,
  authorLength: 64,
  fieldLength: 64,
  reasonLength: 500,
  /** Default and largest `limit` of `inboundDeadLetters`. */
  defaultList: 100,
  maxList: 1_000,
} as const;

function fail(field: string, message: string): never {
  throw new MailboxInputError(field, `${field}: ${message}`);
}

// A lone surrogate (half of a UTF-16 pair): PostgreSQL would store it as U+FFFD.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function text(field: string, value: unknown, max: number): void {
  if (typeof value !== "string" || value.length === 0) fail(field, "must be a non-empty string");
  if (value.length > max) fail(field, `is longer than ${max} characters`);
  // Both stores refuse what PostgreSQL cannot hold exactly, so they stay alike.
  if (value.includes("\u0000") || loneSurrogate.test(value))
    fail(field, "must not contain NUL characters or unpaired surrogates");
}

/** Throws `MailboxInputError` unless `letter` is a well-formed, bounded dead letter. */
export function validateInboundDeadLetter(letter: InboundDeadLetterInput): void {
  if (typeof letter !== "object" || letter === null) fail("letter", "must be an object");
  const limits = inboundDeadLetterLimits;
  text("conversationSid", letter.conversationSid, limits.sidLength);
  text("messageSid", letter.messageSid, limits.sidLength);
  text("author", letter.author, limits.authorLength);
  text("field", letter.field, limits.fieldLength);
  text("reason", letter.reason, limits.reasonLength);
  if (!Number.isSafeInteger(letter.bodyLength) || letter.bodyLength < 0)
    fail("bodyLength", "must be a non-negative integer");
}

/** The list limit with its default; throws unless it is an integer from 1 to 1000. */
export function inboundDeadLetterListLimit(options?: { limit?: number }): number {
  const limit = options?.limit ?? inboundDeadLetterLimits.defaultList;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > inboundDeadLetterLimits.maxList)
    fail("limit", `must be an integer from 1 to ${inboundDeadLetterLimits.maxList}`);
  return limit;
}

/** An `inbound_dead_letters` row as either driver returns it (PostgreSQL bigints as strings). */
export interface InboundDeadLetterRow {
  conversation_sid: string;
  message_sid: string;
  author: string;
  field: string;
  reason: string;
  body_length: number | string;
  recorded_at: number | string;
}

export function toInboundDeadLetter(row: InboundDeadLetterRow): InboundDeadLetter {
  return {
    conversationSid: row.conversation_sid,
    messageSid: row.message_sid,
    author: row.author,
    field: row.field,
    reason: row.reason,
    bodyLength: Number(row.body_length),
    recordedAt: Number(row.recorded_at),
  };
}
