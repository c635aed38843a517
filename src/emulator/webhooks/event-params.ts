import type {
  ConversationEventType,
  MessageEventType,
  ParticipantEventType,
  UserEventType,
} from "./event-types.js";
import type {
  ConversationRecord,
  DeliveryReceiptRecord,
  MediaRecord,
  MessageRecord,
  MessagingBindingRecord,
  ParticipantRecord,
  UserRecord,
} from "./rest-records.js";

/**
 * The form parameters of one webhook: flat names (`MessagingBinding.Address`), every
 * value a string. Absent values are left out rather than sent empty, as Twilio does
 * (a media-only message has no `Body`, a system message no `ParticipantSid`).
 */
export type WebhookParams = Record<string, string>;

/** Who caused the action. `API` is a REST call with `X-Twilio-Webhook-Enabled: true`. */
export type WebhookSource = "API" | "SDK" | "SMS" | "WHATSAPP" | (string & {});

/** What every event of one action shares. */
export interface EventContext {
  accountSid: string;
  chatServiceSid: string;
  source: WebhookSource;
  /** The acting chat identity; sent only when `source` is `SDK`. */
  clientIdentity?: string;
  /** Sent when the conversation has a messaging service. */
  messagingServiceSid?: string | null;
}

/**
 * The keys of each element of the `Media` parameter. Webhook handlers in the wild read
 * `Sid/Size/ContentType/Filename`; Twilio's Event Streams examples show `MediaSid`
 * instead of `Sid`. Which one Conversations webhooks really send is not verified, so it
 * is configurable; {@link webhookMediaKeys} is the default.
 */
export interface MediaKeys {
  sid: string;
  size: string;
  contentType: string;
  filename: string;
}

export const webhookMediaKeys: MediaKeys = {
  sid: "Sid",
  size: "Size",
  contentType: "ContentType",
  filename: "Filename",
};

export const eventStreamsMediaKeys: MediaKeys = { ...webhookMediaKeys, sid: "MediaSid" };

export interface EventParamsOptions {
  mediaKeys?: MediaKeys;
}

/** A date as webhooks send it: ISO 8601 with milliseconds (`2022-05-18T13:42:17.312Z`). */
export function webhookDate(value: string | number | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date.toISOString();
}

/**
 * Flattens a snake_case object into dotted PascalCase names:
 * `{address: "+1…", proxy_address: "+1…"}` under `MessagingBinding` becomes
 * `MessagingBinding.Address`, `MessagingBinding.ProxyAddress`. Nulls are left out;
 * nested objects nest further; other values become strings.
 */
export function flattenParams(prefix: string, value: object): WebhookParams {
  const params: WebhookParams = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    const name = `${prefix}.${pascalCase(key)}`;
    if (typeof item === "object" && !Array.isArray(item))
      Object.assign(params, flattenParams(name, item));
    else params[name] = Array.isArray(item) ? JSON.stringify(item) : String(item);
  }
  return params;
}

function pascalCase(snake: string): string {
  return snake
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function commonParams(eventType: string, context: EventContext): WebhookParams {
  const params: WebhookParams = {
    AccountSid: context.accountSid,
    EventType: eventType,
    ChatServiceSid: context.chatServiceSid,
    Source: context.source,
    // The dispatcher rewrites this on each retry (and re-signs).
    RetryCount: "0",
  };
  if (context.source === "SDK" && context.clientIdentity)
    params.ClientIdentity = context.clientIdentity;
  if (context.messagingServiceSid) params.MessagingServiceSid = context.messagingServiceSid;
  return params;
}

function setIfPresent(params: WebhookParams, name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  params[name] = typeof value === "string" ? value : String(value);
}

function mediaParam(media: readonly MediaRecord[], keys: MediaKeys): string {
  return JSON.stringify(
    media.map((item) => ({
      [keys.sid]: item.sid,
      [keys.size]: item.size,
      [keys.contentType]: item.content_type,
      [keys.filename]: item.filename,
    })),
  );
}

/**
 * Parameters of a message event. `onMessageAdd` (the pre-event) describes the message
 * about to be created, so it has no `MessageSid` or `Index`; every other message event
 * carries both, and update/remove events add `DateUpdated` once the message was edited.
 */
export function messageEventParams(
  eventType: MessageEventType,
  message: MessageRecord,
  context: EventContext,
  options: EventParamsOptions = {},
): WebhookParams {
  const params = commonParams(eventType, context);
  params.ConversationSid = message.conversation_sid;
  if (eventType !== "onMessageAdd") {
    params.MessageSid = message.sid;
    params.Index = String(message.index);
  }
  params.Author = message.author;
  setIfPresent(params, "Body", message.body);
  setIfPresent(params, "ParticipantSid", message.participant_sid);
  params.Attributes = message.attributes;
  params.DateCreated = webhookDate(message.date_created);
  if (eventType !== "onMessageAdd" && eventType !== "onMessageAdded" && message.date_updated)
    params.DateUpdated = webhookDate(message.date_updated);
  if (message.media && message.media.length > 0)
    params.Media = mediaParam(message.media, options.mediaKeys ?? webhookMediaKeys);
  setIfPresent(params, "ContentSid", message.content_sid);
  setIfPresent(params, "Subject", message.subject);
  return params;
}

/**
 * Parameters of a conversation event. `onConversationAdd` describes the conversation
 * about to be created (no `ConversationSid` yet); when the conversation is being
 * auto-created from an inbound SMS/WhatsApp message, pass the sender's binding (REST
 * shape, e.g. `{address, proxy_address}`) and it is sent as `MessagingBinding.*`, and the
 * message's body, sent as `MessageBody`. Twilio's webhook reference lists both on
 * `onConversationAdd`, and its Event Streams schema for `conversation.added` (the same
 * post-event) carries `MessageBody` and `MessagingBinding` too, so `onConversationAdded`
 * of an auto-created conversation sends them as well.
 */
export function conversationEventParams(
  eventType: ConversationEventType,
  conversation: ConversationRecord,
  context: EventContext,
  autoCreationBinding?: MessagingBindingRecord,
  autoCreationMessageBody?: string,
): WebhookParams {
  const params = commonParams(eventType, {
    ...context,
    messagingServiceSid: context.messagingServiceSid ?? conversation.messaging_service_sid,
  });
  if (eventType !== "onConversationAdd") params.ConversationSid = conversation.sid;
  setIfPresent(params, "FriendlyName", conversation.friendly_name);
  setIfPresent(params, "UniqueName", conversation.unique_name);
  params.Attributes = conversation.attributes;
  params.State = conversation.state;
  params.DateCreated = webhookDate(conversation.date_created);
  if (eventType !== "onConversationAdd" && conversation.date_updated)
    params.DateUpdated = webhookDate(conversation.date_updated);
  if (autoCreationBinding)
    Object.assign(params, flattenParams("MessagingBinding", autoCreationBinding));
  if (autoCreationMessageBody !== undefined) params.MessageBody = autoCreationMessageBody;
  return params;
}

/**
 * Parameters of a participant event: `Identity` for chat, `MessagingBinding.*` for SMS
 * and WhatsApp. `onParticipantAdd` has no `ParticipantSid` yet.
 */
export function participantEventParams(
  eventType: ParticipantEventType,
  participant: ParticipantRecord,
  context: EventContext,
): WebhookParams {
  const params = commonParams(eventType, context);
  params.ConversationSid = participant.conversation_sid;
  if (eventType !== "onParticipantAdd") params.ParticipantSid = participant.sid;
  setIfPresent(params, "Identity", participant.identity);
  setIfPresent(params, "RoleSid", participant.role_sid);
  params.Attributes = participant.attributes;
  params.DateCreated = webhookDate(participant.date_created);
  if (eventType !== "onParticipantAdd" && participant.date_updated)
    params.DateUpdated = webhookDate(participant.date_updated);
  if (participant.messaging_binding)
    Object.assign(params, flattenParams("MessagingBinding", participant.messaging_binding));
  if (eventType === "onParticipantUpdated" || eventType === "onParticipantUpdate") {
    setIfPresent(params, "LastReadMessageIndex", participant.last_read_message_index);
    if (participant.last_read_timestamp)
      params.LastReadTimestamp = webhookDate(participant.last_read_timestamp);
  }
  return params;
}

/** Why a conversation changed state: a REST update, a timer, or an event (a new message). */
export type StateChangeReason = "API" | "TIMER" | "EVENT";

/**
 * Parameters of `onConversationStateUpdated`. A change made by a conversation timer has no
 * acting party, and Twilio sends it without `Source` (and without `MessagingServiceSid`):
 * a real `Timers.Closed` payload carries only `AccountSid, ChatServiceSid, ConversationSid,
 * EventType, Reason=TIMER, RetryCount, StateFrom, StateTo, StateUpdated` (a probe of a
 * live service, published in a public project's notes, 2026-06). A state change caused by
 * a new message has `Reason=EVENT` (the webhook reference lists `API`, `TIMER`, `EVENT`).
 */
export function conversationStateUpdatedParams(
  conversation: ConversationRecord,
  change: {
    from: ConversationRecord["state"];
    to: ConversationRecord["state"];
    reason: StateChangeReason;
    at: string | number | Date;
  },
  context: EventContext,
): WebhookParams {
  const timer = change.reason === "TIMER";
  const params = commonParams("onConversationStateUpdated", {
    ...context,
    messagingServiceSid: timer
      ? null
      : (context.messagingServiceSid ?? conversation.messaging_service_sid),
  });
  if (timer) delete params.Source;
  params.ConversationSid = conversation.sid;
  params.StateFrom = change.from;
  params.StateTo = change.to;
  params.Reason = change.reason;
  params.StateUpdated = webhookDate(change.at);
  return params;
}

/** Parameters of `onDeliveryUpdated` (a receipt's status changed). */
export function deliveryUpdatedParams(
  receipt: DeliveryReceiptRecord,
  context: EventContext,
): WebhookParams {
  const params = commonParams("onDeliveryUpdated", context);
  params.ConversationSid = receipt.conversation_sid;
  params.MessageSid = receipt.message_sid;
  params.DeliveryReceiptSid = receipt.sid;
  setIfPresent(params, "ChannelMessageSid", receipt.channel_message_sid);
  setIfPresent(params, "ParticipantSid", receipt.participant_sid);
  params.Status = receipt.status;
  setIfPresent(params, "ErrorCode", receipt.error_code);
  params.DateCreated = webhookDate(receipt.date_created);
  if (receipt.date_updated) params.DateUpdated = webhookDate(receipt.date_updated);
  return params;
}

/** Parameters of a user event (account-level filters only). */
export function userEventParams(
  eventType: UserEventType,
  user: UserRecord,
  context: EventContext,
): WebhookParams {
  const params = commonParams(eventType, context);
  params.UserSid = user.sid;
  params.Identity = user.identity;
  setIfPresent(params, "FriendlyName", user.friendly_name);
  setIfPresent(params, "RoleSid", user.role_sid);
  params.Attributes = user.attributes;
  params.DateCreated = webhookDate(user.date_created);
  if (eventType !== "onUserAdded") {
    if (user.date_updated) params.DateUpdated = webhookDate(user.date_updated);
    setIfPresent(params, "IsOnline", user.is_online);
    setIfPresent(params, "IsNotifiable", user.is_notifiable);
  }
  return params;
}
