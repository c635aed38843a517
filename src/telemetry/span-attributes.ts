import type { Attributes } from "@opentelemetry/api";
import type { Channel } from "../channel/channel.js";

/** The spans switchboard creates, nested webhook → turn → agent → send. */
export type SpanName =
  | "switchboard.webhook"
  | "switchboard.turn"
  | "switchboard.agent"
  | "switchboard.send";

/**
 * What a span may say. Deliberately a closed list of identifiers and counts: spans leave
 * the process (to a tracing backend), so they never carry phone numbers, identities or
 * message bodies. Conversation and message SIDs are Twilio ids, not personal data.
 */
export interface SpanAttributes {
  /** `CH…` */
  conversationSid?: string;
  /** `IM…` of the message that started the work. */
  messageSid?: string;
  channel?: Channel;
  /** 1 for the first try. */
  attempt?: number;
  /** Webhook `EventType`, e.g. `onMessageAdded`. */
  eventType?: string;
  /** How the work ended, e.g. `accepted`, `duplicate`, `ok`, `handoff`, `sent`. */
  outcome?: string;
  /** Messages in the turn or parts of a reply. */
  messageCount?: number;
}

/** The OpenTelemetry attribute key of each field. */
export const attributeKeys: Record<keyof SpanAttributes, string> = {
  conversationSid: "switchboard.conversation.sid",
  messageSid: "switchboard.message.sid",
  channel: "switchboard.channel",
  attempt: "switchboard.attempt",
  eventType: "switchboard.event_type",
  outcome: "switchboard.outcome",
  messageCount: "switchboard.message_count",
};

/** A phone number anywhere in a value: a caller's mistake that must not leave the process. */
const phoneNumber = /\+[1-9]\d{6,14}/;

/**
 * OpenTelemetry attributes from {@link SpanAttributes}. Unknown keys are dropped (the type
 * already forbids them; this also holds for callers in plain JavaScript), and so is any
 * string value containing a phone number.
 */
export function toOpenTelemetryAttributes(attributes: SpanAttributes): Attributes {
  const result: Attributes = {};
  for (const [field, value] of Object.entries(attributes)) {
    const key = attributeKeys[field as keyof SpanAttributes];
    if (key === undefined || value === undefined) continue;
    if (typeof value === "string" && phoneNumber.test(value)) continue;
    if (typeof value !== "string" && typeof value !== "number") continue;
    result[key] = value;
  }
  return result;
}
