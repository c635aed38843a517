import { describeValue } from "../../describe-value.js";
import { nearestName } from "../../nearest-name.js";
import {
  twilioEventTypes,
  type WebhookEvent,
  type WebhookEventType,
} from "../webhook/event-types.js";
import { InvalidInputError } from "./provider-errors.js";

// `on()` and `handleWebhook()` take what the caller hands them; in plain JavaScript a typo in
// an event name never fires, a non-function listener breaks every later webhook, and a
// hand-made event breaks the dispatch. Refused here, where the mistake is.

const eventTypes: ReadonlySet<string> = new Set(Object.values(twilioEventTypes));

/** An event name for `on()`: a `WebhookEventType` or `"*"`, else the nearest valid one. */
export function requireListenerType(value: unknown): WebhookEventType | "*" {
  if (value === "*" || (typeof value === "string" && eventTypes.has(value)))
    return value as WebhookEventType | "*";
  const name = typeof value === "string" ? value : "";
  // Twilio's own name (`onMessageAdded`) maps to ours exactly.
  const meant = Object.hasOwn(twilioEventTypes, name)
    ? twilioEventTypes[name as keyof typeof twilioEventTypes]
    : nearestName(name, eventTypes);
  throw new InvalidInputError(
    "type",
    `on: ${describeValue(value)} is not a webhook event type${
      meant === undefined
        ? ` (one of ${[...eventTypes].join(", ")}, or "*" for every event)`
        : `; did you mean "${meant}"?`
    }`,
  );
}

export function requireListener(value: unknown): void {
  if (typeof value !== "function")
    throw new InvalidInputError(
      "listener",
      `on: listener must be a function; got ${describeValue(value)}.`,
    );
}

/**
 * A value `handleWebhook` can dispatch: shaped as `parseWebhookEvent` returns it (a known
 * `type`, `data` and `raw` objects; for `message.new` the message SID and media list the
 * receive streams read).
 */
export function requireWebhookEvent(value: unknown): WebhookEvent {
  const event = value as Partial<Record<keyof WebhookEvent, unknown>> | null;
  const data = event?.data as Record<string, unknown> | undefined;
  const shaped =
    typeof event === "object" &&
    event !== null &&
    typeof event.type === "string" &&
    eventTypes.has(event.type) &&
    typeof data === "object" &&
    data !== null &&
    typeof event.raw === "object" &&
    event.raw !== null &&
    (event.conversationId === undefined || typeof event.conversationId === "string") &&
    (event.type !== "message.new" ||
      (typeof data.messageSid === "string" && Array.isArray(data.media)));
  if (!shaped)
    throw new InvalidInputError(
      "event",
      `handleWebhook needs an event from parseWebhookEvent (or provider.parseWebhook); got ${describeValue(value)}${
        typeof event === "object" && event !== null && typeof event.type === "string"
          ? ` of type ${describeValue(event.type)}`
          : ""
      }.`,
    );
  return value as WebhookEvent;
}
