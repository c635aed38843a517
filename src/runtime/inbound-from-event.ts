import type { InboundMessage, MailboxChannel, MessageRole } from "../mailbox/mailbox-store.js";
import { channelOfAddress } from "../twilio/channels/address.js";
import type { MessageData, WebhookEventOf } from "../twilio/webhook/event-types.js";
import { replyIdOf } from "./reply-attributes.js";
import type { RuntimeListedMessage } from "./runtime-provider.js";

/** Who is who in a conversation, from the switchboard's options. */
export interface Identities {
  botAuthor: string;
  botIdentities: ReadonlySet<string>;
  humanIdentities: ReadonlySet<string>;
}

/** What is known of the conversation already (its channel), if anything. */
export type KnownChannel = MailboxChannel | null | undefined;

/**
 * Who wrote a message. Our own sends (our Author, or our reply id in the attributes —
 * in case someone enabled webhooks for REST sends), messages authored by the conversation's
 * proxy address (our own Twilio number or WhatsApp sender) and configured bots are `bot`;
 * configured operators are `human`; so is a chat identity writing into an SMS/WhatsApp
 * conversation (a person answering from a web console). Everyone else is the customer.
 */
export function roleOf(
  author: string | null | undefined,
  attributes: unknown,
  identities: Identities,
  conversationChannel: KnownChannel,
  proxyAddress?: string | null,
): MessageRole {
  if (replyIdOf(attributes) !== undefined) return "bot";
  if (author === null || author === undefined || author === "" || author === "system") return "bot";
  if (author === identities.botAuthor || identities.botIdentities.has(author)) return "bot";
  if (isSameAddress(author, proxyAddress)) return "bot";
  if (identities.humanIdentities.has(author)) return "human";
  if (
    (conversationChannel === "sms" || conversationChannel === "whatsapp") &&
    channelOfAddress(author) === "chat"
  )
    return "human";
  return "customer";
}

/**
 * An `onMessageAdded` webhook as a mailbox record. The webhook does not carry our proxy
 * address; pass the conversation's when known (from its participant binding), so a message
 * authored by our own number is recognised and the address is kept on the conversation.
 */
export function inboundFromEvent(
  event: WebhookEventOf<"message.new">,
  identities: Identities,
  conversationChannel: KnownChannel,
  receivedAt: number,
  proxyAddress?: string | null,
): InboundMessage {
  const data: MessageData = event.data;
  const role = roleOf(data.author, data.attributes, identities, conversationChannel, proxyAddress);
  const channel: MailboxChannel =
    role === "customer"
      ? (event.channel ?? channelOfAddress(data.author))
      : (conversationChannel ?? event.channel ?? channelOfAddress(data.author));
  const message: InboundMessage = {
    conversationSid: event.conversationId ?? "",
    messageSid: data.messageSid,
    index: data.index,
    author: data.author,
    body: data.body,
    media: data.media.map((media) => ({
      sid: media.sid,
      contentType: media.contentType ?? "application/octet-stream",
      filename: media.filename ?? null,
      size: media.size ?? null,
    })),
    attributes: attributesObject(data.attributes),
    channel,
    source: event.source ?? "",
    dateCreated: data.dateCreated.getTime(),
    receivedAt,
    role,
  };
  if (event.serviceSid !== undefined) message.serviceSid = event.serviceSid;
  if (data.participantSid !== undefined) message.participantSid = data.participantSid;
  if (event.idempotencyToken !== undefined) message.idempotencyToken = event.idempotencyToken;
  if (role === "customer") message.customerAddress = data.author;
  if (proxyAddress) message.proxyAddress = proxyAddress;
  return message;
}

/** A message found by catch-up (REST listing) as a mailbox record. */
export function inboundFromListedMessage(
  conversationSid: string,
  listed: RuntimeListedMessage,
  identities: Identities,
  conversationChannel: KnownChannel,
  receivedAt: number,
  proxyAddress?: string | null,
): InboundMessage {
  const author = listed.from;
  const role = roleOf(author, listed.attributes, identities, conversationChannel, proxyAddress);
  const channel: MailboxChannel =
    role === "customer" ? listed.channel : (conversationChannel ?? listed.channel);
  const message: InboundMessage = {
    conversationSid,
    messageSid: listed.id,
    index: listed.index,
    author,
    body: listed.content,
    media: listed.media.map((media) => ({
      sid: media.sid,
      contentType: media.contentType ?? "application/octet-stream",
      filename: media.filename,
      size: media.size,
    })),
    attributes: attributesObject(listed.attributes),
    channel,
    // REST listings carry no Source; this is what the webhook would have said.
    source: channel === "chat" ? "SDK" : channel.toUpperCase(),
    dateCreated: listed.createdAt.getTime(),
    receivedAt,
    role,
  };
  if (listed.participantSid !== null) message.participantSid = listed.participantSid;
  if (role === "customer") message.customerAddress = author;
  if (proxyAddress) message.proxyAddress = proxyAddress;
  return message;
}

/**
 * Whether two SMS/WhatsApp addresses name the same sender: compared without case, spaces
 * or punctuation around the digits (`whatsapp:+1 555…` equals `whatsapp:+1555…`), and
 * keeping the channel prefix (an SMS number is not its WhatsApp sender).
 */
export function isSameAddress(author: string, address: string | null | undefined): boolean {
  if (address === null || address === undefined || address === "") return false;
  const canonical = (value: string) =>
    value
      .trim()
      .toLowerCase()
      .replace(/[\s().-]/g, "");
  return canonical(author) === canonical(address);
}

function attributesObject(attributes: unknown): Record<string, unknown> {
  if (typeof attributes === "object" && attributes !== null && !Array.isArray(attributes))
    return attributes as Record<string, unknown>;
  if (typeof attributes === "string" && attributes.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(attributes);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: keep it visible rather than drop it.
    }
    return { raw: attributes };
  }
  return {};
}
