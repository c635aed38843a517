import { deliveryStatuses } from "./core/delivery-rules.js";
import { MailboxInputError } from "./mailbox-errors.js";
import type { ConsentChange, DeliveryUpdate } from "./mailbox-store.js";

const channels = new Set(["sms", "whatsapp", "chat"]);
const consentStates = new Set(["opted-out", "opted-in"]);
const consentReasons = new Set(["keyword", "twilio-21610", "operator"]);

/** Longest SID, address and detail the ledger stores. */
export const ledgerLimits = { sidLength: 64, addressLength: 256, detailLength: 200 } as const;

function fail(field: string, message: string): never {
  throw new MailboxInputError(field, `${field}: ${message}`);
}

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== "string" || value.length === 0) fail(field, "must be a non-empty string");
  if (value.length > max) fail(field, `is longer than ${max} characters`);
  // PostgreSQL text cannot hold NUL; refusing it here keeps both stores alike.
  if (value.includes("\u0000")) fail(field, "must not contain NUL characters");
  return value;
}

/** Throws `MailboxInputError` unless `update` is a well-formed delivery receipt. */
export function validateDeliveryUpdate(update: DeliveryUpdate): void {
  if (typeof update !== "object" || update === null) fail("update", "must be an object");
  text("messageSid", update.messageSid, ledgerLimits.sidLength);
  text("conversationSid", update.conversationSid, ledgerLimits.sidLength);
  if (!(deliveryStatuses as readonly unknown[]).includes(update.status))
    fail("status", `must be one of ${deliveryStatuses.join(", ")}`);
  if (
    update.errorCode !== null &&
    (!Number.isSafeInteger(update.errorCode) || (update.errorCode as number) <= 0)
  )
    fail("errorCode", "must be a positive integer or null");
  if (update.channel != null && !channels.has(update.channel))
    fail("channel", "must be sms, whatsapp or chat");
  if (
    typeof update.updatedAt !== "number" ||
    !Number.isFinite(update.updatedAt) ||
    update.updatedAt < 0
  )
    fail("updatedAt", "must be a non-negative epoch milliseconds number");
}

/** Throws `MailboxInputError` unless `change` is a well-formed consent change. */
export function validateConsentChange(change: ConsentChange): void {
  if (typeof change !== "object" || change === null) fail("change", "must be an object");
  validateAddress(change.address);
  if (!consentStates.has(change.state)) fail("state", "must be opted-out or opted-in");
  if (!consentReasons.has(change.reason))
    fail("reason", "must be keyword, twilio-21610 or operator");
  if (change.detail != null) text("detail", change.detail, ledgerLimits.detailLength);
}

/** Throws `MailboxInputError` unless `address` is a plausible customer address. */
export function validateAddress(address: unknown): void {
  text("address", address, ledgerLimits.addressLength);
}

/** Throws `MailboxInputError` unless `conversationSid` is a plausible SID. */
export function validateLedgerConversation(conversationSid: unknown): void {
  text("conversationSid", conversationSid, ledgerLimits.sidLength);
}
