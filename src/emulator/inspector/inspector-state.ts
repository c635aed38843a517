/**
 * What the inspector page shows, as `GET /_emulator/state` returns it and every SSE
 * `state` event carries it. The emulator's store produces it; REST objects are the same
 * JSON the Conversations API answers, so the page reads `messaging_binding`, `state`,
 * `author`… exactly as a client would.
 */
export interface InspectorState {
  accountSid: string;
  serviceSid: string;
  /** The emulator's own addresses: the SMS number (`+1555…`) and the WhatsApp sender. */
  numbers: { sms: string; whatsapp: string };
  conversations: InspectorConversation[];
  /** Simulated customer phones and chat clients, keyed by address (`+1555…`, `whatsapp:+…`). */
  devices: Record<string, InspectorDeviceMessage[]>;
  /** Webhook deliveries, oldest first. */
  webhooks: InspectorWebhook[];
  /**
   * Outbound SMS/WhatsApp deliveries, oldest first: each receipt's status (`sent`,
   * `delivered`, `read`, `undelivered`, `failed`), Twilio error code and status history.
   * Optional so older page builds and test fixtures without it stay valid.
   */
  deliveries?: InspectorDelivery[];
  /** SMS numbers that texted STOP (or a synonym) and have not opted back in. */
  optOuts?: InspectorOptOut[];
}

export interface InspectorDelivery {
  conversationSid: string;
  messageSid: string;
  receiptSid: string;
  channelMessageSid: string;
  to: string;
  from: string;
  channel: "sms" | "whatsapp";
  status: string;
  errorCode: number | null;
  history: Array<{ status: string; at: string; errorCode: number | null }>;
}

export interface InspectorOptOut {
  address: string;
  keyword: string;
  /** ISO 8601. */
  at: string;
}

/** A REST object: the known fields the page reads, and whatever else the API returns. */
export interface RestJson {
  sid: string;
  [field: string]: unknown;
}

export interface InspectorConversation {
  /** The Conversation resource (`friendly_name`, `unique_name`, `state`, `date_updated`…). */
  conversation: RestJson;
  /** Participant resources; `messaging_binding` (null for chat) gives each one's channel. */
  participants: RestJson[];
  /** Message resources in `index` order. */
  messages: RestJson[];
}

/** One message as a simulated device received (or sent) it. */
export interface InspectorDeviceMessage {
  body: string | null;
  media: InspectorMedia[];
  from: string;
  /** ISO 8601. */
  dateCreated: string;
  /** Delivery status, e.g. `delivered`, `failed`, `read`. */
  status: string;
}

export interface InspectorMedia {
  sid?: string;
  content_type?: string;
  filename?: string | null;
  /** Where the page may link to the bytes (only http(s) or same-origin paths are linked). */
  url?: string;
}

/** One webhook delivery attempt series. */
export interface InspectorWebhook {
  url: string;
  /** `onMessageAdded`, `onConversationStateUpdated`… */
  event: string;
  /** Final HTTP status, or `null` when no response arrived (timeout, refused). */
  status: number | null;
  attempts: number;
  /** Duration of the last attempt in milliseconds. */
  ms: number;
  /** ISO 8601 time of the first attempt. */
  at: string;
}
