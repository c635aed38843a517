import { twilioErrors } from "../http/twilio-errors.js";
import { newSid } from "../sid.js";
import { touchConversation } from "./conversation-actions.js";
import type { ActionOrigin } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import { firePostEvent, modifiedString, runPreEvent } from "./event-dispatch.js";
import type {
  ConversationRecord,
  DeliveryStatus,
  MediaInfo,
  MessageRecord,
  ParticipantRecord,
  ReceiptRecord,
} from "./records.js";
import { attributeLimits, checkAttributes } from "./validation.js";

/** Twilio's outbound body limit on SMS and WhatsApp (error 21617). */
export const maximumChannelBodyLength = 1600;

export interface MessageInput {
  author?: string;
  body?: string;
  attributes?: string;
  mediaSids?: string[];
  contentSid?: string;
  contentVariables?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

/** The participant an author string names: chat identity or SMS/WhatsApp address. */
export function participantForAuthor(
  conversation: ConversationRecord,
  author: string,
): ParticipantRecord | undefined {
  for (const participant of conversation.participants.values())
    if (participant.identity === author || participant.messagingBinding?.address === author)
      return participant;
  return undefined;
}

function hasChannelParticipants(conversation: ConversationRecord): boolean {
  for (const participant of conversation.participants.values())
    if (participant.messagingBinding) return true;
  return false;
}

/**
 * Adds a message: validates media and content through the store's lookups, applies the
 * 1600-character SMS/WhatsApp limit, assigns the next `index` (strictly increasing, never
 * reused), creates a `sent` receipt per SMS/WhatsApp recipient and restarts timers.
 */
export async function addMessage(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: MessageInput,
  origin: ActionOrigin,
): Promise<MessageRecord> {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  const usesContent = input.contentSid !== undefined;
  if (usesContent && !store.lookups.lookupContent(input.contentSid!))
    throw twilioErrors.contentNotFound(input.contentSid!);
  let media: MediaInfo[] | null = null;
  if (!usesContent && input.mediaSids && input.mediaSids.length > 0) {
    media = input.mediaSids.map((sid) => {
      const found = store.lookups.lookupMedia(sid);
      if (!found) throw twilioErrors.mediaNotFound(sid);
      return found;
    });
  }
  const body = usesContent ? null : (input.body ?? null);
  if (body === null && media === null && !usesContent) throw twilioErrors.messageEmpty();
  // The 1600-character cap is on what goes out to SMS/WhatsApp; inbound text is not cut.
  const outbound = origin.source === "API" || origin.source === "SDK";
  if (
    outbound &&
    body !== null &&
    body.length > maximumChannelBodyLength &&
    hasChannelParticipants(conversation)
  )
    throw twilioErrors.bodyTooLong();
  const attributes = checkAttributes(input.attributes, attributeLimits.message);
  const author = input.author ?? "system";
  const modify = await runPreEvent(store, "onMessageAdd", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    changes: { author, body, attributes, media },
  });
  const finalAuthor = modifiedString(modify, "author") ?? author;
  const finalBody = modifiedString(modify, "body") ?? body;
  const now = store.clock.now();
  const participant = participantForAuthor(conversation, finalAuthor);
  const message: MessageRecord = {
    sid: newSid("IM"),
    conversationSid: conversation.sid,
    index: conversation.nextIndex++,
    author: finalAuthor,
    body: finalBody,
    attributes: modifiedString(modify, "attributes") ?? attributes,
    media,
    participantSid: participant?.sid ?? null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? null,
    contentSid: input.contentSid ?? null,
    contentVariables: input.contentVariables ?? null,
    source: origin.source,
    receipts: new Map(),
  };
  for (const recipient of conversation.participants.values()) {
    if (!recipient.messagingBinding || recipient === participant) continue;
    const receipt: ReceiptRecord = {
      sid: newSid("DY"),
      conversationSid: conversation.sid,
      messageSid: message.sid,
      participantSid: recipient.sid,
      // The channel's own message SID: `SMxx` for SMS, `WAxx` for WhatsApp (the OpenAPI
      // file's `channel_message_sid` and the onDeliveryUpdated reference say so).
      channelMessageSid: newSid(recipient.messagingBinding.type === "whatsapp" ? "WA" : "SM"),
      status: "sent",
      errorCode: 0,
      dateCreated: now,
      dateUpdated: now,
    };
    message.receipts.set(receipt.sid, receipt);
  }
  conversation.messages.push(message);
  for (const item of media ?? [])
    store.lookups.attachMedia?.(item.sid, {
      messageSid: message.sid,
      conversationSid: conversation.sid,
    });
  touchConversation(store, conversation, origin);
  firePostEvent(store, "onMessageAdded", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    message,
    ...(participant ? { participant } : {}),
  });
  return message;
}

export function findMessage(conversation: ConversationRecord, sid: string): MessageRecord {
  const message = conversation.messages.find((candidate) => candidate.sid === sid);
  if (!message) throw twilioErrors.notFound(`/Conversations/${conversation.sid}/Messages/${sid}`);
  return message;
}

export async function updateMessage(
  store: EmulatorStore,
  conversation: ConversationRecord,
  message: MessageRecord,
  input: MessageInput,
  origin: ActionOrigin,
): Promise<MessageRecord> {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  if (
    input.body !== undefined &&
    input.body.length > maximumChannelBodyLength &&
    hasChannelParticipants(conversation)
  )
    throw twilioErrors.bodyTooLong();
  const attributes =
    input.attributes === undefined
      ? undefined
      : checkAttributes(input.attributes, attributeLimits.message);
  const changes: Record<string, unknown> = {};
  if (input.body !== undefined) changes.body = input.body;
  if (input.author !== undefined) changes.author = input.author;
  if (attributes !== undefined) changes.attributes = attributes;
  const modify = await runPreEvent(store, "onMessageUpdate", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    message,
    changes,
  });
  const body = modifiedString(modify, "body") ?? input.body;
  if (body !== undefined) message.body = body;
  const author = modifiedString(modify, "author") ?? input.author;
  if (author !== undefined) {
    message.author = author;
    message.participantSid = participantForAuthor(conversation, author)?.sid ?? null;
  }
  const newAttributes = modifiedString(modify, "attributes") ?? attributes;
  if (newAttributes !== undefined) message.attributes = newAttributes;
  if (input.dateCreated !== undefined) message.dateCreated = input.dateCreated;
  message.dateUpdated = input.dateUpdated ?? store.clock.now();
  firePostEvent(store, "onMessageUpdated", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    message,
    changes,
  });
  return message;
}

export async function removeMessage(
  store: EmulatorStore,
  conversation: ConversationRecord,
  message: MessageRecord,
  origin: ActionOrigin,
): Promise<void> {
  const fields = {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    message,
  };
  await runPreEvent(store, "onMessageRemove", origin, fields);
  conversation.messages = conversation.messages.filter((candidate) => candidate !== message);
  firePostEvent(store, "onMessageRemoved", origin, fields);
}

/** Moves a delivery receipt to a new status (the channel reporting back) and fires `onDeliveryUpdated`. */
export function updateDeliveryReceipt(
  store: EmulatorStore,
  conversation: ConversationRecord,
  message: MessageRecord,
  receipt: ReceiptRecord,
  status: DeliveryStatus,
  errorCode: number,
  origin: ActionOrigin,
): ReceiptRecord {
  receipt.status = status;
  receipt.errorCode = errorCode;
  receipt.dateUpdated = store.clock.now();
  firePostEvent(store, "onDeliveryUpdated", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    message,
    receipt,
  });
  return receipt;
}
