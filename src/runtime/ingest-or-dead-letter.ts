import { MailboxInputError } from "../mailbox/mailbox-errors.js";
import type { InboundMessage, IngestResult, MailboxStore } from "../mailbox/mailbox-store.js";
import { inboundDeadLetterLimits } from "../mailbox/validate-inbound-dead-letter.js";
import { maskAddress } from "../twilio/channels/address.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** What ingesting needs to dead-letter a message the mailbox refuses. */
export interface IngestSettings {
  mailbox: MailboxStore;
  events: SwitchboardEvents;
  logger: TwilioLogger;
}

/** `refused`: the mailbox refused the message for good; it is kept as an inbound dead letter. */
export type IngestOutcome = IngestResult | "refused";

/**
 * Ingests one message. A message the mailbox refuses as malformed (`MailboxInputError`: a
 * body over the limit, attributes too large, text PostgreSQL cannot hold) would be refused
 * the same way on every retry, so it is recorded as an inbound dead letter instead — a
 * bounded summary, never the body — with one warn line (no phone number, no body) and a
 * `message.refused` event, and `refused` is returned. Any other failure (the database is
 * down) is thrown, so the webhook answers 5xx and Twilio retries; so is a failure to record
 * the dead letter itself.
 */
export async function ingestOrDeadLetter(
  message: InboundMessage,
  settings: IngestSettings,
  via: "webhook" | "catch-up",
): Promise<IngestOutcome> {
  try {
    return await settings.mailbox.ingest(message);
  } catch (error) {
    if (!(error instanceof MailboxInputError)) throw error;
    await keepAsDeadLetter(message, error, settings, via);
    return "refused";
  }
}

/** What a dead letter is made from: the message as parsed (its body only measured). */
export interface RefusedMessage {
  conversationSid: string;
  messageSid: string;
  author: string;
  body: string | null;
}

/**
 * Records `message`, refused by the mailbox with `error`, as an inbound dead letter: a
 * bounded summary, never the body. The first time only, logs one warn line (no phone number,
 * no body) and emits `message.refused`. Throws when the dead letter cannot be recorded (the
 * database is down), so the caller answers 5xx and Twilio retries.
 */
export async function keepAsDeadLetter(
  message: RefusedMessage,
  error: MailboxInputError,
  settings: IngestSettings,
  via: "webhook" | "catch-up",
): Promise<void> {
  const letter = {
    conversationSid: bounded(message.conversationSid, inboundDeadLetterLimits.sidLength),
    messageSid: bounded(message.messageSid, inboundDeadLetterLimits.sidLength),
    author: bounded(
      maskAddress(String(message.author ?? "")),
      inboundDeadLetterLimits.authorLength,
    ),
    field: bounded(error.field, inboundDeadLetterLimits.fieldLength),
    reason: bounded(error.message, inboundDeadLetterLimits.reasonLength),
    bodyLength: typeof message.body === "string" ? message.body.length : 0,
  };
  if (!(await settings.mailbox.recordInboundDeadLetter(letter))) return;
  settings.logger.warn(
    {
      conversationSid: letter.conversationSid,
      messageSid: letter.messageSid,
      author: letter.author,
      field: letter.field,
      bodyLength: letter.bodyLength,
      via,
    },
    "inbound message can never be stored: kept as an inbound dead letter",
  );
  settings.events.emit("message.refused", {
    conversationSid: letter.conversationSid,
    messageSid: letter.messageSid,
    field: letter.field,
    via,
  });
}

// Lone surrogates (half of a UTF-16 pair) and NUL cannot be stored exactly in PostgreSQL.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The value made storable in a dead letter: the refused message may be refused precisely
 * because a SID is too long or holds a NUL, and its summary must still be kept.
 */
function bounded(value: string, max: number): string {
  const repaired = String(value).replaceAll("\u0000", "\uFFFD").replace(loneSurrogate, "\uFFFD");
  const clipped = repaired.length > max ? `${repaired.slice(0, max - 1)}…` : repaired;
  return clipped === "" ? "(none)" : clipped;
}
