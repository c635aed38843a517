import {
  type Channel,
  channelOfAddress,
  channelOfMessagingBinding,
  channelOfWebhookMessage,
  type MessagingBinding,
} from "../channels/address.js";
import type { MessageData, WebhookAttributes } from "../webhook/event-types.js";
import type {
  TwilioConversation,
  TwilioConversationState,
  TwilioMessage,
  TwilioMessageMedia,
  TwilioParticipant,
} from "./provider-types.js";

// The SDK's instance classes, reduced to the fields read here; structural so that no deep
// import into the SDK's private module layout is needed.
interface ConversationResource {
  sid: string;
  chatServiceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string | null;
  state: string;
  messagingServiceSid: string | null;
  timers: unknown;
  dateCreated: Date;
  dateUpdated: Date;
}

interface ParticipantResource {
  sid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string | null;
  messagingBinding: unknown;
  roleSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

interface MessageResource {
  sid: string;
  conversationSid: string;
  index: number;
  author: string | null;
  body: string | null;
  media: unknown;
  attributes: string | null;
  participantSid: string | null;
  contentSid: string | null;
  dateCreated: Date;
  dateUpdated: Date | null;
}

export function toConversation(resource: ConversationResource): TwilioConversation {
  const timers = (isRecord(resource.timers) ? resource.timers : {}) as Record<string, unknown>;
  return {
    id: resource.sid,
    serviceSid: resource.chatServiceSid,
    friendlyName: resource.friendlyName ?? null,
    uniqueName: resource.uniqueName ?? null,
    attributes: parseAttributes(resource.attributes),
    state: toState(resource.state),
    messagingServiceSid: resource.messagingServiceSid ?? null,
    timers: { dateInactive: toDate(timers.date_inactive), dateClosed: toDate(timers.date_closed) },
    createdAt: resource.dateCreated,
    updatedAt: resource.dateUpdated,
  };
}

export function toParticipant(resource: ParticipantResource): TwilioParticipant {
  const binding = isRecord(resource.messagingBinding)
    ? (resource.messagingBinding as MessagingBinding)
    : null;
  return {
    id: resource.sid,
    conversationId: resource.conversationSid,
    channel: channelOfMessagingBinding(binding),
    identity: resource.identity ?? null,
    address: stringOrNull(binding?.address),
    proxyAddress: stringOrNull(binding?.proxy_address),
    attributes: parseAttributes(resource.attributes),
    roleSid: resource.roleSid ?? null,
    createdAt: resource.dateCreated,
    updatedAt: resource.dateUpdated,
  };
}

/**
 * A conversation's channel, from its participants: the channel of the first SMS or
 * WhatsApp binding, else `chat`. A message's author alone cannot tell it: an agent's
 * reply into an SMS conversation has the agent's name as author but goes out as SMS.
 */
export function channelOfParticipants(participants: readonly TwilioParticipant[]): Channel {
  return participants.find((participant) => participant.channel !== "chat")?.channel ?? "chat";
}

/**
 * A message's channel: a phone or WhatsApp author's own channel; otherwise the
 * conversation's (see `channelOfParticipants`), or `chat` when that is not known.
 */
function messageChannel(author: string, conversationChannel: Channel | undefined): Channel {
  const ofAuthor = channelOfAddress(author);
  return ofAuthor === "chat" ? (conversationChannel ?? "chat") : ofAuthor;
}

export function toMessage(resource: MessageResource, conversationChannel?: Channel): TwilioMessage {
  const attributes = parseAttributes(resource.attributes);
  const author = resource.author ?? "system";
  return {
    id: resource.sid,
    conversationId: resource.conversationSid,
    index: resource.index,
    from: author,
    to: typeof attributes.to === "string" ? attributes.to : null,
    content: resource.body ?? null,
    attributes,
    media: Array.isArray(resource.media) ? resource.media.flatMap(toMedia) : [],
    channel: messageChannel(author, conversationChannel),
    participantSid: resource.participantSid ?? null,
    contentSid: resource.contentSid ?? null,
    createdAt: resource.dateCreated,
    updatedAt: resource.dateUpdated ?? null,
  };
}

/**
 * A `message.new` webhook's data as the same shape `listMessages` returns. The channel is
 * the webhook's own, else its Source's or phone author's, else the conversation's when
 * known, else `chat`.
 */
export function messageFromWebhook(
  conversationId: string,
  data: MessageData,
  source: string | undefined,
  conversationChannel?: Channel,
): TwilioMessage {
  const attributes = webhookAttributes(data.attributes);
  return {
    id: data.messageSid,
    conversationId,
    index: data.index,
    from: data.author,
    to: typeof attributes.to === "string" ? attributes.to : null,
    content: data.body,
    attributes,
    media: data.media.map((item) => ({
      sid: item.sid,
      contentType: item.contentType ?? null,
      filename: item.filename ?? null,
      size: item.size ?? null,
    })),
    channel:
      data.channel ?? channelOfWebhookMessage(source, data.author) ?? conversationChannel ?? "chat",
    participantSid: data.participantSid ?? null,
    contentSid: null,
    createdAt: data.dateCreated,
    updatedAt: data.dateUpdated ?? null,
  };
}

function toMedia(item: unknown): TwilioMessageMedia[] {
  if (!isRecord(item) || typeof item.sid !== "string") return [];
  return [
    {
      sid: item.sid,
      contentType: stringOrNull(item.content_type),
      filename: stringOrNull(item.filename),
      size: typeof item.size === "number" ? item.size : null,
    },
  ];
}

/** Twilio stores attributes as a JSON string; anything but a JSON object reads as `{}`. */
export function parseAttributes(text: string | null | undefined): Record<string, unknown> {
  if (typeof text !== "string" || text === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

function webhookAttributes(attributes: WebhookAttributes): Record<string, unknown> {
  return typeof attributes === "string" ? parseAttributes(attributes) : attributes;
}

function toState(state: string): TwilioConversationState {
  return state === "inactive" || state === "closed" ? state : "active";
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value !== "string" || value === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
