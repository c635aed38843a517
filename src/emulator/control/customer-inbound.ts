import type { BusinessNumbers } from "../business-numbers.js";
import type { ChannelDelivery } from "../delivery/channel-delivery.js";
import type { MediaStore } from "../media/media-store.js";
import { isSid } from "../sid.js";
import { createConversation } from "../store/conversation-actions.js";
import type { ActionOrigin } from "../store/emulator-events.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { receiveInboundMessage } from "../store/inbound-actions.js";
import { addMessage } from "../store/message-actions.js";
import { addParticipant } from "../store/participant-actions.js";
import type { ConversationRecord } from "../store/records.js";
import { ControlRequestError } from "./control-request-error.js";

/** The channels a simulated customer writes from. */
export type CustomerChannel = "sms" | "whatsapp" | "chat";

/** A file a customer sends, as `POST /_emulator/inbound` takes it. */
export interface CustomerMedia {
  contentType: string;
  filename?: string;
  /** The file's bytes, base64-encoded. */
  base64: string;
}

/** One message from a customer (the body of `POST /_emulator/inbound`). */
export interface CustomerMessage {
  channel: CustomerChannel;
  /** `+15551230001`, `whatsapp:+15551230001` or a chat identity. */
  from: string;
  /** Our address; the default number of the channel when absent. Not used for chat. */
  to?: string;
  body?: string;
  media?: CustomerMedia[];
  /** Chat only: the conversation to write in; a new one when absent. */
  conversationSid?: string;
}

/** Where an inbound customer message landed. */
export interface CustomerInboundResult {
  /** The conversation (`CH…`) holding the message, auto-created for a new customer. */
  conversationSid: string;
  /** The message (`IM…`). */
  messageSid: string;
}

export interface CustomerInboundContext {
  store: EmulatorStore;
  media: MediaStore;
  delivery: ChannelDelivery;
  numbers: BusinessNumbers;
}

/** Twilio's inbound body limit (32 KB). */
export const maximumInboundBodyLength = 32 * 1024;
/** Twilio accepts at most 10 media items on one message. */
export const maximumInboundMedia = 10;

const e164 = /^\+[1-9]\d{6,14}$/;
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
const contentTypePattern = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/**
 * Parses and checks the JSON body of `POST /_emulator/inbound`; every problem is a 400
 * naming the field.
 */
export function parseCustomerMessage(body: Record<string, unknown>): CustomerMessage {
  const fail = (message: string) => new ControlRequestError(400, "invalid_field", message);
  const channel = body.channel;
  if (channel !== "sms" && channel !== "whatsapp" && channel !== "chat")
    throw fail('"channel" must be "sms", "whatsapp" or "chat"');
  const from = body.from;
  if (typeof from !== "string" || from === "") throw fail('"from" must be a non-empty string');
  checkAddress(channel, from, "from", fail);
  const message: CustomerMessage = { channel, from };
  if (body.to !== undefined && body.to !== null) {
    if (typeof body.to !== "string") throw fail('"to" must be a string');
    if (channel === "chat") throw fail('"to" is not used for chat; give "conversationSid"');
    checkAddress(channel, body.to, "to", fail);
    message.to = body.to;
  }
  if (body.body !== undefined && body.body !== null) {
    if (typeof body.body !== "string") throw fail('"body" must be a string');
    if (body.body.length > maximumInboundBodyLength)
      throw fail(`"body" must be at most ${maximumInboundBodyLength} characters`);
    message.body = body.body;
  }
  if (body.conversationSid !== undefined && body.conversationSid !== null) {
    if (channel !== "chat") throw fail('"conversationSid" is only used for chat');
    if (typeof body.conversationSid !== "string" || !isSid(body.conversationSid, "CH"))
      throw fail('"conversationSid" must be a conversation SID (CH…)');
    message.conversationSid = body.conversationSid;
  }
  if (body.media !== undefined && body.media !== null) {
    if (!Array.isArray(body.media)) throw fail('"media" must be an array');
    if (body.media.length > maximumInboundMedia)
      throw fail(`"media" may hold at most ${maximumInboundMedia} files`);
    message.media = body.media.map((item: unknown, index) => parseMedia(item, index, fail));
  }
  // Twilio's rule is a Body or Media; a blank body is neither, and no phone or WhatsApp
  // app sends a message of only whitespace.
  const hasText = message.body !== undefined && message.body.trim() !== "";
  if (!hasText && (message.media === undefined || message.media.length === 0))
    throw fail('a message needs "body" or "media"');
  return message;
}

function checkAddress(
  channel: CustomerChannel,
  address: string,
  field: string,
  fail: (message: string) => Error,
): void {
  if (channel === "sms" && !e164.test(address))
    throw fail(`"${field}" must be an E.164 phone number such as +15551230001`);
  if (channel === "whatsapp" && !(address.startsWith("whatsapp:") && e164.test(address.slice(9))))
    throw fail(`"${field}" must be a WhatsApp address such as whatsapp:+15551230001`);
  if (channel === "chat" && (address.length > 256 || /\p{Cc}/u.test(address)))
    throw fail(`"${field}" must be a chat identity of at most 256 printable characters`);
}

function parseMedia(item: unknown, index: number, fail: (message: string) => Error): CustomerMedia {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    throw fail(`"media[${index}]" must be an object`);
  const { contentType, filename, base64 } = item as Record<string, unknown>;
  if (typeof contentType !== "string" || !contentTypePattern.test(contentType))
    throw fail(`"media[${index}].contentType" must be a media type such as image/png`);
  if (typeof base64 !== "string" || base64 === "" || !base64Pattern.test(base64))
    throw fail(`"media[${index}].base64" must be non-empty base64`);
  if (filename !== undefined && filename !== null && typeof filename !== "string")
    throw fail(`"media[${index}].filename" must be a string`);
  return { contentType, base64, ...(typeof filename === "string" ? { filename } : {}) };
}

/**
 * Does what Twilio does when a customer writes: an SMS or WhatsApp message goes to the
 * non-closed conversation holding the sender and our address, or auto-creates one (404
 * when no address configuration allows that); a chat message is sent as the identity's
 * participant. Media is stored as uploads first. Webhooks fire with `Source` `SMS`,
 * `WHATSAPP` or `SDK`. An SMS that is exactly STOP, START or HELP (or a synonym) also gets
 * Twilio's standard opt-out handling and auto-reply on the customer's device.
 */
export async function receiveCustomerMessage(
  context: CustomerInboundContext,
  message: CustomerMessage,
): Promise<CustomerInboundResult> {
  const { store } = context;
  const mediaSids = (message.media ?? []).map((item) => storeMedia(context, message.from, item));
  const extra = {
    ...(message.body === undefined ? {} : { body: message.body }),
    ...(mediaSids.length === 0 ? {} : { mediaSids }),
  };
  if (message.channel === "chat") return receiveChatMessage(context, message, extra);

  const to = message.to ?? context.numbers[message.channel];
  context.delivery.noteInbound(message.from, to);
  let result: Awaited<ReturnType<typeof receiveInboundMessage>>;
  try {
    result = await receiveInboundMessage(store, { from: message.from, to, ...extra });
  } finally {
    // Twilio handles STOP/START/HELP at the number, whether or not a conversation takes
    // the message (or a pre-event hook refuses it), and still passes the message on.
    if (message.channel === "sms")
      context.delivery.handleSmsKeyword(message.from, to, message.body);
  }
  if (!result)
    throw new ControlRequestError(
      404,
      "no_address_configuration",
      `No open conversation holds ${message.from} with ${to}, and ${to} has no address configuration with auto-creation enabled`,
    );
  return { conversationSid: result.conversation.sid, messageSid: result.message.sid };
}

function storeMedia(context: CustomerInboundContext, author: string, item: CustomerMedia): string {
  const bytes = Buffer.from(item.base64, "base64");
  if (bytes.length > context.media.maxBytes)
    throw new ControlRequestError(
      413,
      "media_too_large",
      `A media file must be at most ${context.media.maxBytes} bytes`,
    );
  return context.media.put({
    accountSid: context.store.accountSid,
    serviceSid: context.store.defaultServiceSid,
    contentType: item.contentType,
    filename: item.filename ?? null,
    bytes,
    author,
  }).sid;
}

async function receiveChatMessage(
  context: CustomerInboundContext,
  message: CustomerMessage,
  extra: { body?: string; mediaSids?: string[] },
): Promise<CustomerInboundResult> {
  const { store } = context;
  const identity = message.from;
  const origin: ActionOrigin = { source: "SDK", webhookEnabled: true, clientIdentity: identity };
  let conversation: ConversationRecord | undefined;
  if (message.conversationSid !== undefined) {
    // A lookup per service, not a scan of every conversation.
    for (const service of store.services.values())
      conversation ??= service.conversations.get(message.conversationSid);
    if (!conversation)
      throw new ControlRequestError(
        404,
        "conversation_not_found",
        `Conversation ${message.conversationSid} does not exist`,
      );
  } else {
    conversation = await createConversation(store, store.service(undefined), {}, origin);
  }
  const isParticipant = [...conversation.participants.values()].some(
    (participant) => participant.identity === identity,
  );
  if (!isParticipant) await addParticipant(store, conversation, { identity }, origin);
  const added = await addMessage(store, conversation, { author: identity, ...extra }, origin);
  return { conversationSid: conversation.sid, messageSid: added.sid };
}
