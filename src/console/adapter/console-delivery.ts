import type {
  ConsentRecord,
  ConversationRecord,
  DeliveryRecord,
  HistoryEntry,
} from "../../mailbox/mailbox-store.js";
import { consentRefusalPrefix } from "../../runtime/outbound-consent.js";
import { WHATSAPP_WINDOW_MS } from "../../twilio/channels/shape-for-channel.js";
import { explainDeliveryError } from "../../twilio/explain-delivery-error.js";
import type {
  ConsoleConsent,
  ConsoleDelivery,
  ConsoleFailure,
  ConsoleWhatsAppWindow,
} from "../console-deps.js";

type OutboundEntry = Extract<HistoryEntry, { direction: "outbound" }>;

/** Twilio's 21610: the customer opted out. A local refusal is explained the same way. */
const optedOutCode = 21610;

/** Twilio's error code and its explanation, as the console shows a failure. */
export function failureOf(code: number | null | undefined, lastError?: string): ConsoleFailure {
  const explained = explainDeliveryError(code ?? undefined);
  const failure: ConsoleFailure = {
    title: explained.title,
    explanation: explained.explanation,
    action: explained.action,
  };
  if (explained.code !== undefined) failure.code = explained.code;
  if (explained.docsUrl !== undefined) failure.docsUrl = explained.docsUrl;
  // A send refused before any receipt has only its error text: say that, not "no code".
  if (explained.code === undefined && lastError !== undefined && lastError !== "") {
    failure.title = "Not sent";
    failure.explanation = lastError;
    failure.action = "Check the service logs; retry the conversation or reply by hand.";
  }
  return failure;
}

/** A Twilio error code named in an error text ("… 63016 …"), if any. */
function codeIn(text: string | null | undefined): number | undefined {
  const found = text?.match(/\b([2-6]\d{4})\b/);
  return found === null || found === undefined ? undefined : Number(found[1]);
}

/**
 * Where one outbound entry stands: the outbox's own state until Twilio took it, then the
 * delivery receipts' status. A local consent refusal is explained like Twilio's 21610.
 */
export function deliveryOf(
  entry: OutboundEntry,
  record: DeliveryRecord | undefined,
): ConsoleDelivery {
  const attempts = entry.attempts ?? 0;
  const lastError = entry.lastError ?? undefined;
  if (entry.status === "pending" || entry.status === "sending") {
    if (attempts === 0 || lastError === undefined)
      return { status: entry.status === "sending" ? "sending" : "pending" };
    return { status: "retrying", attempts, lastError };
  }
  if (entry.status === "failed") {
    const refused = lastError?.startsWith(consentRefusalPrefix) === true;
    const delivery: ConsoleDelivery = {
      status: "failed",
      attempts,
      failure: refused
        ? {
            ...failureOf(optedOutCode),
            explanation: lastError.slice(consentRefusalPrefix.length).trim(),
          }
        : failureOf(codeIn(lastError), lastError),
    };
    if (lastError !== undefined) delivery.lastError = lastError;
    return delivery;
  }
  return receiptOf(record);
}

/**
 * Where a message Twilio already has stands, from its delivery receipts: `queued` until the
 * first one. An operator's own message (written as a person) is shown this way too.
 */
export function receiptOf(record: DeliveryRecord | undefined): ConsoleDelivery {
  if (record === undefined) return { status: "queued" };
  const delivery: ConsoleDelivery = { status: record.status };
  if (record.status === "failed" || record.status === "undelivered")
    delivery.failure = failureOf(record.errorCode);
  return delivery;
}

/** The ledger's entry as the console shows it. */
export function consentOf(record: ConsentRecord): ConsoleConsent {
  const consent: ConsoleConsent = {
    state: record.state,
    reason: record.reason,
    at: new Date(record.changedAt).toISOString(),
  };
  if (record.detail !== null) consent.detail = record.detail;
  return consent;
}

/** WhatsApp's 24-hour window for a conversation, counted from the customer's last message. */
export function whatsappWindowOf(
  record: ConversationRecord,
  now: number,
  templateAvailable: boolean,
): ConsoleWhatsAppWindow {
  if (record.lastInboundAt === null) return { open: false, templateAvailable };
  const closesAt = record.lastInboundAt + WHATSAPP_WINDOW_MS;
  return { open: now < closesAt, closesAt: new Date(closesAt).toISOString(), templateAvailable };
}
