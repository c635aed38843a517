/**
 * The Conversations webhook event names. A pre-event (`onMessageAdd`) fires before the
 * action is published and can reject or modify it; a post-event (`onMessageAdded`) fires
 * after. The lists are the filter values Twilio's OpenAPI file allows.
 */
export const preEventTypes = [
  "onMessageAdd",
  "onMessageUpdate",
  "onMessageRemove",
  "onConversationAdd",
  "onConversationUpdate",
  "onConversationRemove",
  "onParticipantAdd",
  "onParticipantUpdate",
  "onParticipantRemove",
  "onUserUpdate",
] as const;

export const postEventTypes = [
  "onMessageAdded",
  "onMessageUpdated",
  "onMessageRemoved",
  "onConversationAdded",
  "onConversationUpdated",
  "onConversationRemoved",
  "onConversationStateUpdated",
  "onParticipantAdded",
  "onParticipantUpdated",
  "onParticipantRemoved",
  "onDeliveryUpdated",
  "onUserAdded",
  "onUserUpdated",
] as const;

export type PreEventType = (typeof preEventTypes)[number];
export type PostEventType = (typeof postEventTypes)[number];
export type WebhookEventType = PreEventType | PostEventType;

export type MessageEventType = Extract<WebhookEventType, `onMessage${string}`>;
export type ConversationEventType = Exclude<
  Extract<WebhookEventType, `onConversation${string}`>,
  "onConversationStateUpdated"
>;
export type ParticipantEventType = Extract<WebhookEventType, `onParticipant${string}`>;
export type UserEventType = Extract<WebhookEventType, `onUser${string}`>;

const preEvents: ReadonlySet<string> = new Set(preEventTypes);
const allEvents: ReadonlySet<string> = new Set([...preEventTypes, ...postEventTypes]);

/** Whether `eventType` is a pre-event (fires before the action, may reject or modify it). */
export function isPreEventType(eventType: string): eventType is PreEventType {
  return preEvents.has(eventType);
}

/** Whether `eventType` is one of the Conversations webhook event names. */
export function isWebhookEventType(eventType: string): eventType is WebhookEventType {
  return allEvents.has(eventType);
}

/**
 * Whether a REST action should fire webhooks: only when the request carried
 * `X-Twilio-Webhook-Enabled: true`. Without it REST actions fire nothing, which is what
 * keeps a bot's own replies from looping back to it. Such webhooks carry `Source=API`.
 */
export function restActionFiresWebhooks(headerValue: string | readonly string[] | undefined) {
  const value = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  return typeof value === "string" && value.trim().toLowerCase() === "true";
}
