import { randomUUID } from "node:crypto";
import {
  type CustomerAddress,
  type CustomerLinkSource,
  customerLimits,
} from "./mailbox-customers.js";
import { MailboxInputError } from "./mailbox-errors.js";

const kinds = new Set(["sms", "whatsapp", "chat", "app"]);
const sources = new Set(["first-contact", "same-number", "application", "verified", "operator"]);
const customerIdPattern = /^cu_[0-9a-f]{32}$/;
// The rule of `postgres/storable-text.ts` (PostgreSQL text holds no NUL, and UTF-8 turns a
// lone surrogate into U+FFFD), applied to both stores so they refuse alike.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isStorableText = (value: string) => !value.includes("\u0000") && !loneSurrogate.test(value);

function fail(field: string, message: string): never {
  throw new MailboxInputError(field, `${field}: ${message}`);
}

/** A new customer id: `cu_` and 32 hex digits (a random UUID's). */
export function newCustomerId(): string {
  return `cu_${randomUUID().replaceAll("-", "")}`;
}

/** Throws `MailboxInputError` unless `customerId` has the shape the store makes. */
export function validateCustomerId(customerId: unknown, field = "customerId"): string {
  if (typeof customerId !== "string" || !customerIdPattern.test(customerId))
    fail(field, "must be a customer id (cu_ and 32 hex digits)");
  return customerId;
}

/**
 * Throws `MailboxInputError` unless `address` is a known kind with a non-empty value both
 * stores keep exactly (no NUL, no unpaired surrogate, at most 256 characters). Returns a
 * copy holding only the two fields, so extra properties never reach storage.
 */
export function validateCustomerAddress(address: unknown): CustomerAddress {
  if (typeof address !== "object" || address === null) fail("address", "must be an object");
  const { kind, value } = address as Record<string, unknown>;
  if (typeof kind !== "string" || !kinds.has(kind))
    fail("address.kind", "must be sms, whatsapp, chat or app");
  if (typeof value !== "string" || value.length === 0)
    fail("address.value", "must be a non-empty string");
  if (value.length > customerLimits.addressLength)
    fail("address.value", `is longer than ${customerLimits.addressLength} characters`);
  if (!isStorableText(value))
    fail("address.value", "must not contain NUL characters or unpaired surrogates");
  return { kind: kind as CustomerAddress["kind"], value };
}

/** Throws `MailboxInputError` unless `source` is a known link source. */
export function validateLinkSource(source: unknown): CustomerLinkSource {
  if (typeof source !== "string" || !sources.has(source))
    fail("source", `must be one of ${[...sources].join(", ")}`);
  return source as CustomerLinkSource;
}

/** A list limit: `fallback` when absent, else an integer from 1 to `max`. */
export function validateCustomerLimit(limit: unknown, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > max)
    fail("limit", `must be an integer from 1 to ${max}`);
  return limit;
}

/** `listCustomers`' search text, or null when absent or blank. */
export function validateCustomerSearch(search: unknown): string | null {
  if (search === undefined) return null;
  if (typeof search !== "string") fail("search", "must be a string");
  if (search.length > customerLimits.searchLength)
    fail("search", `is longer than ${customerLimits.searchLength} characters`);
  if (!isStorableText(search))
    fail("search", "must not contain NUL characters or unpaired surrogates");
  const trimmed = search.trim();
  return trimmed.length === 0 ? null : trimmed;
}

/** A `LIKE` pattern matching `search` anywhere, lower-cased, with `\` as the escape. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Throws `MailboxInputError` unless `conversationSid` is a plausible SID (1–64, storable). */
export function validateCustomerConversation(conversationSid: unknown, field = "conversationSid") {
  if (typeof conversationSid !== "string" || conversationSid.length === 0)
    fail(field, "must be a non-empty string");
  if (conversationSid.length > 64) fail(field, "is longer than 64 characters");
  if (!isStorableText(conversationSid))
    fail(field, "must not contain NUL characters or unpaired surrogates");
  return conversationSid;
}
