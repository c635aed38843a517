import { MailboxInputError } from "../mailbox-errors.js";

// A lone surrogate (half of a UTF-16 pair): not encodable as UTF-8.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * PostgreSQL text cannot hold NUL, and `pg` sends strings as UTF-8, which turns a lone
 * surrogate into U+FFFD, so two different SIDs could become one key. Such strings are
 * malformed input: rejected with `MailboxInputError` before anything is written (JSON columns
 * are safe: `JSON.stringify` escapes both).
 */
export function assertStorableText(field: string, value: unknown): void {
  if (typeof value === "string" && !isStorableText(value))
    throw new MailboxInputError(
      field,
      `${field}: must not contain NUL characters or unpaired surrogates`,
    );
}

/** The same rule for free text the store writes as given (error reasons): repaired, not refused. */
export function storableText(value: string): string {
  return value.replaceAll("\u0000", "\uFFFD").replace(new RegExp(loneSurrogate, "g"), "\uFFFD");
}

/** True when PostgreSQL stores `value` exactly (no NUL, no unpaired surrogate). */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !loneSurrogate.test(value);
}
