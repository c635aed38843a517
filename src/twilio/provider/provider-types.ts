import type { Channel } from "../channels/address.js";

/** A conversation's lifecycle state: `active` ⇄ `inactive` → `closed` (final). */
export type TwilioConversationState = "active" | "inactive" | "closed";

/** A Twilio Conversation as the provider returns it. */
export interface TwilioConversation {
  /** The conversation SID (`CH…`); pass it to every other provider method. */
  id: string;
  /** The Conversations service (`IS…`) it belongs to. */
  serviceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  /** Parsed from Twilio's JSON string; `{}` when unset or not a JSON object. */
  attributes: Record<string, unknown>;
  state: TwilioConversationState;
  messagingServiceSid: string | null;
  /** When the timers will move the conversation to `inactive` / `closed`, if set. */
  timers: { dateInactive: Date | null; dateClosed: Date | null };
  createdAt: Date;
  updatedAt: Date;
}

/** A participant of a conversation, on one of the three channels. */
export interface TwilioParticipant {
  /** The participant SID (`MB…`). */
  id: string;
  conversationId: string;
  /** `sms` and `whatsapp` have a messaging binding; `chat` has an identity. */
  channel: Channel;
  /** The chat identity; `null` for SMS and WhatsApp. */
  identity: string | null;
  /** The customer's address (`+1555…` or `whatsapp:+1555…`); `null` for chat. */
  address: string | null;
  /** Your Twilio number the customer talks to; `null` for chat. */
  proxyAddress: string | null;
  attributes: Record<string, unknown>;
  roleSid: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One media attachment of a message. */
export interface TwilioMessageMedia {
  /** The media SID (`ME…`). */
  sid: string;
  contentType: string | null;
  filename: string | null;
  size: number | null;
}

/** A message, whether sent by the provider, listed from history or received by webhook. */
export interface TwilioMessage {
  /** The message SID (`IM…`). */
  id: string;
  conversationId: string;
  /** Arrival order within the conversation; ascending but may skip numbers. */
  index: number;
  /**
   * Twilio's `Author`: the customer's address for SMS/WhatsApp, the identity for chat, or
   * whatever the sender passed as `from` (`system` by default).
   */
  from: string;
  /** The `to` given to `sendMessage`, read back from the attributes; informational only. */
  to: string | null;
  /** The text; `null` for a media-only or template message. */
  content: string | null;
  attributes: Record<string, unknown>;
  media: TwilioMessageMedia[];
  /**
   * The message's channel. A phone or WhatsApp author gives its own (`sms`, `whatsapp`).
   * Any other author (a chat identity, `system`, your bot's name) takes the
   * conversation's channel: that of its first SMS or WhatsApp participant, else `chat`
   * (so an agent's reply into an SMS conversation is `sms`). The participant list is
   * listed once per conversation and cached; a webhook-delivered message uses it only
   * when already cached, else its webhook `Source`.
   */
  channel: Channel;
  /** The authoring participant (`MB…`); `null` for messages sent through the REST API as a non-participant. */
  participantSid: string | null;
  /** The Content API template (`HX…`) the message was sent with, if any. */
  contentSid: string | null;
  createdAt: Date;
  /** `null` if the message was never edited. */
  updatedAt: Date | null;
}

/** What `createConversation` accepts. */
export interface CreateConversationInput {
  friendlyName?: string | undefined;
  /** Must not look like a SID; lets you address the conversation by your own key. */
  uniqueName?: string | undefined;
  /** Stored as JSON (Twilio allows 16 KB). */
  attributes?: Record<string, unknown> | undefined;
  /** The Messaging Service (`MG…`) for SMS/WhatsApp delivery; Twilio's default otherwise. */
  messagingServiceSid?: string | undefined;
  /** ISO-8601 durations, e.g. `{ inactive: "PT1H", closed: "P1D" }` (≥ PT1M and ≥ PT10M). */
  timers?: { inactive?: string | undefined; closed?: string | undefined } | undefined;
}

/** What `updateConversation` accepts; omitted fields stay as they are. */
export interface UpdateConversationInput extends CreateConversationInput {
  state?: TwilioConversationState | undefined;
}

/** Options of `listConversations`. */
export interface ListConversationsOptions {
  state?: TwilioConversationState | undefined;
  /**
   * Only conversations created on or after this day (UTC; Twilio filters by whole days and
   * then lists newest first).
   */
  startDate?: Date | undefined;
  /** Records per REST page (1–100). */
  pageSize?: number | undefined;
}

/**
 * Who joins a conversation: an SMS number, a WhatsApp number (the `whatsapp:` prefix is
 * added when missing) or a web chat identity. `proxyAddress` is your Twilio number (for
 * WhatsApp, your WhatsApp sender); it is required by Twilio unless the conversation's
 * Messaging Service assigns one.
 */
export type ParticipantInput = (
  | { sms: string; proxyAddress?: string | undefined }
  | { whatsapp: string; proxyAddress?: string | undefined }
  | { chat: string }
) & { attributes?: Record<string, unknown> | undefined };

/** A file to attach: uploaded to Twilio's media service first, or an existing `ME…` SID. */
export type MediaInput =
  | {
      content: Uint8Array;
      /** e.g. `image/png`; Twilio accepts JPG/PNG/MP3/AMR/MP4/PDF for SMS. */
      contentType: string;
      filename?: string | undefined;
    }
  | { sid: string };

/** A WhatsApp/rich template from the Content API (needed outside the 24-hour window). */
export interface TemplateInput {
  /** The template SID (`HX…`). */
  contentSid: string;
  /** Values for `{{1}}`, `{{2}}`… (or named variables). */
  variables?: Readonly<Record<string, string>> | undefined;
}

/** What `sendMessage` accepts: text, a media file, a template, or text with media. */
export interface SendMessageInput {
  /**
   * At most this long (ms) for the whole send, pacer waits and retries included: no request
   * starts after it (the send fails with `send_deadline`, nothing sent), and a request in
   * flight is cut off at it (`ambiguous_send`). A 429 whose `Retry-After` would outlast it
   * fails with `send_deadline` at once (with `retryAfterMs`) rather than waiting to.
   * Without it each request may take 30 s.
   */
  timeoutMs?: number | undefined;
  /** The text (≤ 1600 characters for SMS/WhatsApp). Optional with `media` or `template`. */
  content?: string | undefined;
  /** The Author, e.g. `"agent"` or `"system"`; shown to chat participants. Default `system`. */
  from?: string | undefined;
  /**
   * Informational: Twilio Conversations delivers every message to every participant, so
   * `to` does not route anything. It is stored in the message attributes as `to` (unless the
   * attributes already have one) and read back as `TwilioMessage.to`.
   */
  to?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
  media?: MediaInput | undefined;
  /** With a template, Twilio ignores `content` and `media`. */
  template?: TemplateInput | undefined;
}

/** Options of `listMessages`. */
export interface ListMessagesOptions {
  /** `asc` (oldest first, the default) or `desc` (newest first). */
  order?: "asc" | "desc" | undefined;
  /** Records per REST page (1–100). */
  pageSize?: number | undefined;
  /** Stop after this many messages (a whole number, 0 or more). */
  limit?: number | undefined;
  /**
   * The conversation's channel, when the caller knows it (e.g. from its own records): the
   * messages are labelled with it and the participants are not listed to find it.
   */
  channel?: Channel | undefined;
}

/** Options of `receiveMessages` and `events`. */
export interface StreamOptions {
  /** Ends the stream (normally, without an error) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * How many undelivered items the stream holds for a slow consumer before it ends with
   * `StreamOverflowError`. Default: the provider's `streamBufferSize` (1000).
   */
  bufferSize?: number | undefined;
}

/** One delivery receipt of a message, as `listDeliveryReceipts` reads it. */
export interface TwilioDeliveryReceipt {
  /** `DY…` */
  sid: string;
  /** The message (`IM…`) it is about. */
  messageSid: string;
  /** `sent`, `delivered`, `read`, `failed` or `undelivered` (Twilio may add more). */
  status: string;
  /** Twilio's error code on a failure; null otherwise. */
  errorCode: number | null;
  dateUpdated: Date | null;
}
