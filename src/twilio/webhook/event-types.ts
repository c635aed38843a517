import type { Channel } from "../channels/address.js";

/**
 * Twilio's `EventType` for each switchboard event `type`. Post-events (`…ed`) report what
 * happened; pre-events (`…Add`, `…Update`, `…Remove`) ask first and can be rejected.
 */
export const twilioEventTypes = {
  onMessageAdded: "message.new",
  onMessageUpdated: "message.updated",
  onMessageRemoved: "message.removed",
  onConversationAdded: "conversation.new",
  onConversationUpdated: "conversation.updated",
  onConversationRemoved: "conversation.removed",
  onConversationStateUpdated: "conversation.state_updated",
  onParticipantAdded: "participant.new",
  onParticipantUpdated: "participant.updated",
  onParticipantRemoved: "participant.removed",
  onDeliveryUpdated: "delivery.updated",
  onUserAdded: "user.new",
  onUserUpdated: "user.updated",
  onMessageAdd: "message.adding",
  onMessageUpdate: "message.updating",
  onMessageRemove: "message.removing",
  onConversationAdd: "conversation.adding",
  onConversationUpdate: "conversation.updating",
  onConversationRemove: "conversation.removing",
  onParticipantAdd: "participant.adding",
  onParticipantUpdate: "participant.updating",
  onParticipantRemove: "participant.removing",
  onUserUpdate: "user.updating",
} as const;

export type TwilioEventType = keyof typeof twilioEventTypes;

/** Attributes: the parsed JSON object, or the raw string when it is not a JSON object. */
export type WebhookAttributes = Record<string, unknown> | string;

/** One media attachment of a message. */
export interface WebhookMedia {
  sid: string;
  contentType: string | undefined;
  filename: string | undefined;
  size: number | undefined;
}

/** `MessagingBinding.*` fields of conversation and participant events. */
export interface WebhookMessagingBinding {
  type: string | undefined;
  address: string | undefined;
  proxyAddress: string | undefined;
  projectedAddress: string | undefined;
  authorAddress: string | undefined;
}

/** A message before it exists (`message.adding`): no SID or index yet. */
export interface MessageDraftData {
  author: string | undefined;
  /** `null` for a media-only message (Twilio omits `Body`). */
  body: string | null;
  attributes: WebhookAttributes;
  media: WebhookMedia[];
  participantSid: string | undefined;
  dateCreated: Date | undefined;
  channel: Channel | undefined;
}

/** A message that exists: `message.new` (onMessageAdded) and the update/remove events. */
export interface MessageData extends MessageDraftData {
  messageSid: string;
  /** Arrival order within the conversation; may skip numbers. */
  index: number;
  author: string;
  dateCreated: Date;
  dateUpdated: Date | undefined;
}

export interface ConversationData {
  conversationSid: string | undefined;
  friendlyName: string | undefined;
  uniqueName: string | undefined;
  attributes: WebhookAttributes;
  state: string | undefined;
  messagingServiceSid: string | undefined;
  dateCreated: Date | undefined;
  dateUpdated: Date | undefined;
  /** Present when the conversation was auto-created from an inbound SMS/WhatsApp message. */
  messagingBinding: WebhookMessagingBinding | undefined;
}

export interface ConversationStateData {
  conversationSid: string;
  stateFrom: string | undefined;
  stateTo: string;
  reason: string | undefined;
  stateUpdated: Date | undefined;
  messagingServiceSid: string | undefined;
}

export interface ParticipantData {
  /** Absent on `participant.adding`. */
  participantSid: string | undefined;
  identity: string | undefined;
  roleSid: string | undefined;
  attributes: WebhookAttributes;
  messagingBinding: WebhookMessagingBinding | undefined;
  dateCreated: Date | undefined;
  dateUpdated: Date | undefined;
  channel: Channel;
}

export interface DeliveryData {
  messageSid: string;
  deliveryReceiptSid: string;
  channelMessageSid: string | undefined;
  participantSid: string | undefined;
  /** `sent`, `delivered`, `read`, `failed` or `undelivered`. */
  status: string;
  errorCode: number | undefined;
  dateCreated: Date | undefined;
  dateUpdated: Date | undefined;
}

export interface UserData {
  userSid: string | undefined;
  identity: string | undefined;
  friendlyName: string | undefined;
  attributes: WebhookAttributes;
  roleSid: string | undefined;
  isOnline: boolean | undefined;
  isNotifiable: boolean | undefined;
  dateCreated: Date | undefined;
  dateUpdated: Date | undefined;
}

/** The `data` of each event `type`. */
export interface WebhookEventDataMap {
  "message.new": MessageData;
  "message.updated": MessageData;
  "message.removed": MessageData;
  "message.adding": MessageDraftData;
  "message.updating": MessageData;
  "message.removing": MessageData;
  "conversation.new": ConversationData;
  "conversation.updated": ConversationData;
  "conversation.removed": ConversationData;
  "conversation.adding": ConversationData;
  "conversation.updating": ConversationData;
  "conversation.removing": ConversationData;
  "conversation.state_updated": ConversationStateData;
  "participant.new": ParticipantData;
  "participant.updated": ParticipantData;
  "participant.removed": ParticipantData;
  "participant.adding": ParticipantData;
  "participant.updating": ParticipantData;
  "participant.removing": ParticipantData;
  "delivery.updated": DeliveryData;
  "user.new": UserData;
  "user.updated": UserData;
  "user.updating": UserData;
}

export type WebhookEventType = keyof WebhookEventDataMap;

type TwilioEventTypeOf<T extends WebhookEventType> = {
  [K in TwilioEventType]: (typeof twilioEventTypes)[K] extends T ? K : never;
}[TwilioEventType];

/** Pre-events wait for the answer and can be rejected; post-events report what happened. */
export type WebhookEventPhase = "pre" | "post";

/** One parsed Conversations webhook. */
export interface WebhookEventOf<T extends WebhookEventType> {
  type: T;
  phase: T extends `${string}.${"adding" | "updating" | "removing"}` ? "pre" : "post";
  /** Twilio's own name, e.g. `onMessageAdded`. */
  twilioEventType: TwilioEventTypeOf<T>;
  /** `ConversationSid`; `undefined` for user events and `conversation.adding`. */
  conversationId: string | undefined;
  /** `ChatServiceSid`. */
  serviceSid: string | undefined;
  accountSid: string;
  /** `Source`: `SMS`, `WHATSAPP`, `SDK` or `API`. */
  source: string | undefined;
  /** `ClientIdentity`: who acted, when the source is the SDK. */
  clientIdentity: string | undefined;
  /** The channel, where derivable. */
  channel: Channel | undefined;
  /** `I-Twilio-Idempotency-Token`: the same on every retry of one delivery. */
  idempotencyToken: string | undefined;
  /** `RetryCount`; 0 on the first attempt. */
  retryCount: number;
  data: WebhookEventDataMap[T];
  /** The flattened form parameters exactly as received. */
  raw: Readonly<Record<string, string>>;
}

/** Every Conversations webhook, discriminated by `type`. */
export type WebhookEvent = { [T in WebhookEventType]: WebhookEventOf<T> }[WebhookEventType];

/** Twilio's `EventType` → switchboard `type`, or `undefined` for an unknown event. */
export function webhookEventTypeOf(twilioEventType: string): WebhookEventType | undefined {
  return Object.hasOwn(twilioEventTypes, twilioEventType)
    ? twilioEventTypes[twilioEventType as TwilioEventType]
    : undefined;
}
