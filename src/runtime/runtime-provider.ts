import type { Channel } from "../channel/channel.js";
/**
 * The part of a provider the runtime calls — a structural subset of `TwilioProvider`, so
 * tests and future providers implement just this much. The runtime sends replies, lists a
 * conversation's messages (to reconcile ambiguous sends and to catch up after downtime) and
 * lists conversations (to find ones created while the service was down).
 */
export interface RuntimeProvider {
  /**
   * The Auth Token and public webhook URL this provider was built with. Optional: when
   * present, `createSwitchboard` verifies webhooks with them unless `webhook.authToken` /
   * `webhook.url` say otherwise.
   */
  readonly webhookVerification?: { readonly authToken?: string; readonly url?: string };
  /**
   * Optional check of credentials and service, run by `switchboard.start()` before anything
   * else so a misconfiguration fails at start with the provider's actionable error.
   */
  start?(): Promise<void>;
  /**
   * Posts one message as `from` (the Author). Must throw an error whose `code` is
   * `"ambiguous_send"` when the request left but its outcome is unknown (5xx, timeout, reset
   * after sending), and `"rate_limited"` (with `retryAfterMs` when known) on a 429.
   */
  sendMessage(
    conversationId: string,
    message: RuntimeOutgoingMessage,
  ): Promise<{ id: string; index?: number }>;
  /**
   * A conversation's messages; the runtime asks for `desc` and stops early. `channel`: the
   * conversation's channel when the mailbox knows it, so the provider need not look it up.
   */
  listMessages(
    conversationId: string,
    options: { order: "asc" | "desc"; pageSize?: number; channel?: Channel },
  ): AsyncIterable<RuntimeListedMessage>;
  /**
   * The service's conversations. Optional: without it, catch-up only covers conversations
   * the mailbox already knows.
   */
  listConversations?(options?: {
    pageSize?: number;
    /**
     * Only conversations created on or after this day (Twilio's `StartDate`; the list then
     * comes newest first). A provider may ignore it: the runtime filters by date again.
     */
    startDate?: Date;
  }): AsyncIterable<RuntimeListedConversation>;
  /**
   * A conversation's participants. Optional: the runtime reads their proxy address (our
   * number) to recognise messages authored by it; without it, it learns the address only
   * from participant and conversation webhooks.
   */
  listParticipants?(conversationId: string): Promise<readonly RuntimeParticipant[]>;
  /**
   * A message's delivery receipts. Optional: with it, the runtime fetches the status of
   * recently sent replies whose `onDeliveryUpdated` webhook never came.
   */
  listDeliveryReceipts?(
    conversationId: string,
    messageId: string,
  ): Promise<readonly RuntimeDeliveryReceipt[]>;
  /**
   * The bytes of an inbound media item (`ME…`), fetched with the account's credentials.
   * Optional: without it, turns' media carry no `read()`. The runtime bounds what it reads
   * (`SwitchboardOptions.media`), so a stream lets it stop early.
   */
  fetchMedia?(
    mediaSid: string,
    signal?: AbortSignal,
  ): Promise<Uint8Array | AsyncIterable<Uint8Array>>;
  /**
   * Creates a Content API template from a `choicesToContent` body and returns its `HX…`
   * sid. Optional: without it, WhatsApp choices go out as numbered text.
   */
  createContent?(body: {
    friendly_name: string;
    language: string;
    types: Record<string, Record<string, unknown>>;
  }): Promise<string>;
}

/** A delivery receipt as the runtime reads it. */
export interface RuntimeDeliveryReceipt {
  messageSid: string;
  status: string;
  errorCode: number | null;
  dateUpdated: Date | null;
}

/** A participant as the runtime reads it. */
export interface RuntimeParticipant {
  /** Our Twilio number / WhatsApp sender for an SMS/WhatsApp participant; `null` for chat. */
  proxyAddress: string | null;
}

/** What the runtime sends. */
export interface RuntimeOutgoingMessage {
  content?: string;
  from: string;
  /**
   * The send's whole time bound (ms): no request may start after it and one in flight must be
   * cut off at it, so that by then the message has reached Twilio or never will. A provider
   * without such a bound may ignore it; the sender then cannot tell another instance when a
   * lapsed send is safe to look up, and a stalled sender's request may land late.
   */
  timeoutMs?: number;
  attributes?: Record<string, unknown>;
  template?: { contentSid: string; variables?: Readonly<Record<string, string>> };
}

/** A message as listed by the provider (the fields catch-up and reconciliation read). */
export interface RuntimeListedMessage {
  /** `IM…` */
  id: string;
  index: number;
  /** Twilio's `Author`. */
  from: string;
  content: string | null;
  attributes: Readonly<Record<string, unknown>>;
  media: readonly {
    sid: string;
    contentType: string | null;
    filename: string | null;
    size: number | null;
  }[];
  /** The author's channel: `sms`/`whatsapp` for a phone author, otherwise `chat`. */
  channel: Channel;
  participantSid: string | null;
  createdAt: Date;
}

/** A conversation as listed by the provider. */
export interface RuntimeListedConversation {
  /** `CH…` */
  id: string;
  state: string;
  createdAt: Date;
}
