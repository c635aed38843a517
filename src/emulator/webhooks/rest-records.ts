/**
 * The REST-shaped records webhooks are built from: the snake_case JSON objects the
 * Conversations API returns (shapes from Twilio's OpenAPI file). Only the fields webhooks
 * read are listed; the store may pass its full records. Dates are ISO 8601 strings with
 * or without milliseconds, or epoch milliseconds: webhooks always send them with
 * milliseconds (REST responses do not), so pass the stored epoch time when you have it
 * rather than the REST string, which has lost the milliseconds.
 */

/** An ISO 8601 date string or epoch milliseconds. */
export type RecordDate = string | number;

/** `…/Messages/{IM}`; `media` items are `{sid, size, content_type, filename}`. */
export interface MessageRecord {
  sid: string;
  account_sid: string;
  conversation_sid: string;
  /** Present on `/Services/{IS}/…` responses only; the event context supplies it otherwise. */
  chat_service_sid?: string | null;
  index: number;
  author: string;
  /** `null` for a media-only message (then no `Body` parameter is sent). */
  body: string | null;
  media: readonly MediaRecord[] | null;
  /** A JSON string, `"{}"` when unset. */
  attributes: string;
  /** `null` for messages authored by `system`. */
  participant_sid: string | null;
  date_created: RecordDate;
  /** `null` when the message was never edited. */
  date_updated: RecordDate | null;
  content_sid?: string | null;
  subject?: string | null;
}

export interface MediaRecord {
  sid: string;
  size: number;
  content_type: string;
  filename: string | null;
}

/** `/Conversations/{CH}`. */
export interface ConversationRecord {
  sid: string;
  account_sid: string;
  chat_service_sid: string;
  messaging_service_sid: string | null;
  friendly_name: string | null;
  unique_name: string | null;
  attributes: string;
  state: "active" | "inactive" | "closed" | "initializing";
  date_created: RecordDate;
  date_updated: RecordDate | null;
}

/**
 * A participant's `messaging_binding`: `{type, address, proxy_address}` for SMS and
 * WhatsApp, `{type, projected_address}` for a group-MMS chat member, `null` for chat.
 * Extra keys (`level`, `name`, …) are flattened too.
 */
export type MessagingBindingRecord = Readonly<Record<string, string | null | undefined>>;

/** `/Conversations/{CH}/Participants/{MB}`. */
export interface ParticipantRecord {
  sid: string;
  account_sid: string;
  conversation_sid: string;
  chat_service_sid?: string | null;
  identity: string | null;
  attributes: string;
  messaging_binding: MessagingBindingRecord | null;
  role_sid: string | null;
  date_created: RecordDate;
  date_updated: RecordDate | null;
  last_read_message_index?: number | null;
  last_read_timestamp?: RecordDate | null;
}

/** `/Conversations/{CH}/Messages/{IM}/Receipts/{DY}`. */
export interface DeliveryReceiptRecord {
  sid: string;
  account_sid: string;
  conversation_sid: string;
  chat_service_sid?: string | null;
  message_sid: string;
  channel_message_sid: string | null;
  participant_sid: string | null;
  status: "sent" | "delivered" | "read" | "failed" | "undelivered";
  error_code: number | null;
  date_created: RecordDate;
  date_updated: RecordDate | null;
}

/** `/Users/{US}`. */
export interface UserRecord {
  sid: string;
  account_sid: string;
  chat_service_sid: string;
  role_sid: string | null;
  identity: string;
  friendly_name: string | null;
  attributes: string;
  is_online: boolean | null;
  is_notifiable: boolean | null;
  date_created: RecordDate;
  date_updated: RecordDate | null;
}
