// Over 400 lines on purpose: the product brief's TwilioProvider is one class with one lifecycle;
// request mapping, retries, pacing and media live in the modules beside it.
import twilio from "twilio";
import { SwitchboardError } from "../../errors.js";
import { type Channel, maskAddress } from "../channels/address.js";
import { type UncheckedTwilioOptions, validateTwilioOptions } from "../config.js";
import { type TwilioErrorContext, toSwitchboardError } from "../error-codes.js";
import { AddressInUseError, TwilioError, WebhookParseError } from "../errors.js";
import { silentLogger, type TwilioLogger } from "../logger.js";
import type { WebhookEvent, WebhookEventOf, WebhookEventType } from "../webhook/event-types.js";
import {
  type ParseWebhookEventOptions,
  parseWebhookEvent,
} from "../webhook/parse-webhook-event.js";
import type { WebhookInput } from "../webhook/read-request.js";
import { BoundedCache } from "./bounded-cache.js";
import { downloadMedia } from "./download-media.js";
import { EventHub, type WebhookListener } from "./event-hub.js";
import { findAddressHolder } from "./find-address-holder.js";
import {
  channelOfParticipants,
  toConversation,
  toMessage,
  toParticipant,
} from "./map-resources.js";
import { participantBinding } from "./participant-binding.js";
import { checkProviderConfig } from "./provider-config.js";
import { InvalidInputError, ProviderStoppedError } from "./provider-errors.js";
import {
  conversationFields,
  conversationListQuery,
  isPositiveInteger,
  jsonObject,
  type MessageRequest,
  messageListOptions,
  messageRequest,
  requireId,
  requireSid,
  streamOptions,
} from "./provider-input.js";
import type {
  CreateConversationInput,
  ListConversationsOptions,
  ListMessagesOptions,
  MediaInput,
  ParticipantInput,
  SendMessageInput,
  StreamOptions,
  TwilioConversation,
  TwilioDeliveryReceipt,
  TwilioMessage,
  TwilioParticipant,
  UpdateConversationInput,
} from "./provider-types.js";
import { withRequestDeadline } from "./request-deadline.js";
import { createInProcessPacer, type RequestPacer } from "./request-pacer.js";
import {
  defaultRequestTimeoutMs,
  type ResilienceOptions,
  ResilientRequestClient,
} from "./resilient-request-client.js";
import { TwilioHttpError } from "./twilio-http-error.js";
import { enableRawUploads, uploadMedia } from "./upload-media.js";
import {
  requireListener,
  requireListenerType,
  requireWebhookEvent,
} from "./webhook-event-input.js";

/** Conversations whose participant lists are kept (about 0.7 KB each). */
const participantCacheCapacity = 5_000;

/** Everything `new TwilioProvider(…)` accepts. */
export interface TwilioProviderConfig extends UncheckedTwilioOptions {
  /**
   * Send `X-Twilio-Webhook-Enabled: true` on the provider's writes, so Twilio fires webhooks
   * for them too. Off by default: without it a bot's own replies never come back to its
   * webhook, which is what keeps it from answering itself.
   */
  webhookEnabled?: boolean | undefined;
  /** Retries, backoff, the concurrency cap and the circuit breaker. */
  resilience?: ResilienceOptions | undefined;
  /**
   * Paces writes below Twilio's limits (30 actions/s per conversation, 30 creates/s per
   * service). Default: an in-process pacer; pass a shared one (same interface) when several
   * instances share one account, or `false` to send unpaced.
   */
  pacer?: RequestPacer | false | undefined;
  /**
   * A cost budget per sender number: at most this many messages per second (a whole number,
   * at least 1) out of each of the conversation's proxy addresses. Off when left out, the
   * default (Twilio queues SMS beyond a long code's ~1 segment/s itself); `0` is refused
   * rather than read as either "off" or "send nothing". With a custom `pacer`, the pacer
   * enforces it.
   */
  senderBudget?: { messagesPerSecond: number } | undefined;
  /** Items a `receiveMessages` / `events` stream buffers for a slow consumer. Default 1000. */
  streamBufferSize?: number | undefined;
}

interface PageLike<T> {
  instances: T[];
  nextPage(): Promise<PageLike<T>> | undefined;
}

type ServiceContext = ReturnType<twilio.Twilio["conversations"]["v1"]["services"]>;
type ContentListInstance = twilio.Twilio["content"]["v1"]["contents"];

/**
 * One AI agent on SMS, WhatsApp and web chat through Twilio Conversations, on the official
 * `twilio` SDK. Every call is scoped to the configured Conversations service
 * (`/v1/Services/{IS}/…`), never the account's default one.
 *
 * @example
 * const provider = new TwilioProvider({ accountSid, authToken, conversationsServiceSid });
 * await provider.start();
 * const conversation = await provider.createConversation({ friendlyName: "Customer Support" });
 * await provider.addParticipant(conversation.id, { sms: "+15551230001", proxyAddress: "+15559870000" });
 * await provider.sendMessage(conversation.id, { content: "Hello", from: "system", to: "customer" });
 */
export class TwilioProvider {
  /** The Conversations service (`IS…`) every call goes to. */
  readonly serviceSid: string;
  readonly #service: ServiceContext;
  readonly #contents: ContentListInstance;
  readonly #http: ResilientRequestClient;
  readonly #rawUploads: boolean;
  readonly #uploadAs: {
    username: string;
    password: string;
    region: string | undefined;
    edge: string | undefined;
  };
  readonly #webhookHeader: { xTwilioWebhookEnabled?: "true" };
  readonly #pacer: RequestPacer | undefined;
  readonly #senderBudget: boolean;
  /**
   * Participants per conversation, as last listed; dropped when this provider changes them.
   * Bounded: an idle conversation must not cost memory forever (a miss lists them again).
   */
  readonly #participants = new BoundedCache<TwilioParticipant[]>(participantCacheCapacity);
  readonly #hub = new EventHub((conversationId) => {
    const participants = this.#participants.get(conversationId);
    return participants === undefined ? undefined : channelOfParticipants(participants);
  });
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #logger: TwilioLogger;
  readonly #streamBufferSize: number;
  readonly #webhookVerification: { authToken?: string; url?: string };
  #stopped = false;

  /**
   * Validates the options: throws `ConfigError` naming the option (and its variable), for
   * an unknown key too, e.g. `webhookURL` (did you mean `webhookUrl`?).
   */
  constructor(config: TwilioProviderConfig) {
    checkProviderConfig(config);
    const options = validateTwilioOptions(config);
    this.serviceSid = options.conversationsServiceSid;
    this.#logger = options.logger ?? silentLogger;
    const streamBufferSize = config.streamBufferSize ?? 1000;
    if (!isPositiveInteger(streamBufferSize))
      throw new InvalidInputError(
        "streamBufferSize",
        "streamBufferSize must be a positive integer.",
      );
    this.#streamBufferSize = streamBufferSize;
    this.#webhookVerification = {
      ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      ...(options.webhookUrl === undefined ? {} : { url: options.webhookUrl }),
    };
    this.#webhookHeader = config.webhookEnabled === true ? { xTwilioWebhookEnabled: "true" } : {};
    this.#senderBudget = config.senderBudget !== undefined;
    this.#pacer =
      config.pacer === false
        ? undefined
        : (config.pacer ??
          createInProcessPacer({
            senderMessagesPerSecond: config.senderBudget?.messagesPerSecond,
          }));

    const inner =
      options.httpClient ?? new twilio.RequestClient({ timeout: defaultRequestTimeoutMs });
    this.#rawUploads = enableRawUploads(inner);
    const onRetry = config.resilience?.onRetry;
    this.#http = new ResilientRequestClient(
      inner,
      {
        ...config.resilience,
        onRetry: (event) => {
          // The path names SIDs only; phone numbers travel in query parameters, never here.
          this.#logger.warn(
            {
              method: event.method,
              path: pathOf(event.url),
              attempt: event.attempt,
              delayMs: event.delayMs,
              reason: event.reason,
            },
            "twilio request retried",
          );
          onRetry?.(event);
        },
      },
      this.#pacer,
    );
    const username = options.apiKeySid ?? options.accountSid;
    const password = options.apiKeySecret ?? options.authToken ?? "";
    this.#uploadAs = { username, password, region: options.region, edge: options.edge };
    const client = twilio(username, password, {
      accountSid: options.accountSid,
      httpClient: this.#http,
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.edge === undefined ? {} : { edge: options.edge }),
    });
    this.#service = client.conversations.v1.services(this.serviceSid);
    this.#contents = client.content.v1.contents;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────

  /**
   * Checks the credentials and the service by fetching it. Throws `InvalidCredentialsError`
   * (20003) or `ServiceNotFoundError` (20404), each saying which variable to check.
   */
  async start(): Promise<void> {
    this.#ensureRunning("start");
    await this.#call(
      { operation: "services.fetch", resource: "service", serviceSid: this.serviceSid },
      () => this.#service.fetch(),
    );
    this.#logger.info({ serviceSid: this.serviceSid }, "twilio provider started");
  }

  /**
   * Ends every `receiveMessages` / `events` stream (after what they already buffered) and
   * waits for in-flight calls to settle. Final: later calls throw `ProviderStoppedError`.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#hub.end();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  // ── conversations ────────────────────────────────────────────────────────────────────

  /**
   * Creates a conversation in the service. Throws `UniqueNameTakenError` (50353) when
   * `uniqueName` is already used by another conversation of the service.
   */
  async createConversation(input: CreateConversationInput = {}): Promise<TwilioConversation> {
    this.#ensureRunning("createConversation");
    const fields = conversationFields(input, "createConversation");
    const created = await this.#call(
      {
        operation: "conversations.create",
        resource: "conversation",
        isCreate: true,
        uniqueName: fields.uniqueName,
      },
      () => this.#service.conversations.create({ ...this.#webhookHeader, ...fields }),
    );
    return toConversation(created);
  }

  /** By SID (`CH…`) or unique name. Throws `NotFoundError` if there is none. */
  async getConversation(idOrUniqueName: string): Promise<TwilioConversation> {
    this.#ensureRunning("getConversation");
    const id = requireId(idOrUniqueName, "conversationId");
    const found = await this.#call(
      { operation: "conversations.fetch", resource: "conversation", conversationSid: id },
      () => this.#service.conversations(id).fetch(),
    );
    return toConversation(found);
  }

  /** Every conversation of the service (optionally in one state), fetched page by page. */
  async *listConversations(
    options: ListConversationsOptions = {},
  ): AsyncIterable<TwilioConversation> {
    this.#ensureRunning("listConversations");
    const query = conversationListQuery(options);
    const context = { operation: "conversations.list", resource: "conversation" } as const;
    const first = () => this.#service.conversations.page(query);
    for await (const item of this.#pages(context, first)) yield toConversation(item);
  }

  /** Changes the given fields; a closed conversation cannot change (`ConversationClosedError`). */
  async updateConversation(
    id: string,
    input: UpdateConversationInput,
  ): Promise<TwilioConversation> {
    this.#ensureRunning("updateConversation");
    const sid = requireId(id, "conversationId");
    const fields = conversationFields(input, "updateConversation");
    const updated = await this.#call(
      {
        operation: "conversations.update",
        resource: "conversation",
        conversationSid: sid,
        uniqueName: fields.uniqueName,
      },
      () => this.#service.conversations(sid).update({ ...this.#webhookHeader, ...fields }),
    );
    if (updated.state === "closed") this.#hub.endConversation(updated.sid);
    return toConversation(updated);
  }

  /** Moves an inactive conversation back to `active` (a closed one cannot be reopened). */
  activateConversation(id: string): Promise<TwilioConversation> {
    return this.updateConversation(id, { state: "active" });
  }

  /**
   * Moves the conversation to `inactive`: it stays usable and keeps its participants; the
   * next message makes it `active` again.
   */
  deactivateConversation(id: string): Promise<TwilioConversation> {
    return this.updateConversation(id, { state: "inactive" });
  }

  /**
   * Closes the conversation. Closed is final: it can no longer be changed or reopened, and
   * the customer's next message starts a new conversation. Ends its receive streams.
   */
  closeConversation(id: string): Promise<TwilioConversation> {
    return this.updateConversation(id, { state: "closed" });
  }

  /** Deletes the conversation with its messages and participants; ends its receive streams. */
  async deleteConversation(id: string): Promise<void> {
    this.#ensureRunning("deleteConversation");
    const sid = requireId(id, "conversationId");
    await this.#call(
      { operation: "conversations.remove", resource: "conversation", conversationSid: sid },
      () => this.#service.conversations(sid).remove(this.#webhookHeader),
    );
    this.#hub.endConversation(sid);
    this.#participants.delete(sid);
  }

  // ── participants ─────────────────────────────────────────────────────────────────────

  /**
   * Adds an SMS, WhatsApp or chat participant. Throws `InvalidAddressError` for a number
   * that is not E.164, `AddressInUseError` (50416) when the pair is already in another
   * open conversation — with that conversation's SID when it can be found — and
   * `IdentityInUseError` (50433) for a chat identity already in this one.
   */
  async addParticipant(id: string, input: ParticipantInput): Promise<TwilioParticipant> {
    this.#ensureRunning("addParticipant");
    const sid = requireId(id, "conversationId");
    const binding = participantBinding(input);
    const attributes =
      input.attributes === undefined
        ? {}
        : { attributes: jsonObject(input.attributes, "attributes") };
    const fields =
      binding.channel === "chat"
        ? { identity: binding.identity }
        : {
            "messagingBinding.address": binding.address,
            ...(binding.proxyAddress === undefined
              ? {}
              : { "messagingBinding.proxyAddress": binding.proxyAddress }),
          };
    const context: TwilioErrorContext = {
      operation: "participants.create",
      resource: "participant",
      conversationSid: sid,
      isCreate: true,
      ...(binding.channel === "chat"
        ? { identity: binding.identity }
        : { address: binding.address, proxyAddress: binding.proxyAddress }),
    };
    try {
      const created = await this.#call(context, () =>
        this.#service
          .conversations(sid)
          .participants.create({ ...this.#webhookHeader, ...fields, ...attributes }),
      );
      this.#participants.delete(sid);
      return toParticipant(created);
    } catch (error) {
      if (error instanceof AddressInUseError && binding.channel !== "chat")
        throw await this.#explainAddressInUse(error, binding.address, binding.proxyAddress);
      throw error;
    }
  }

  /**
   * Every participant of the conversation. The list is also remembered for labelling
   * messages with their channel (see `TwilioMessage.channel`).
   */
  async listParticipants(id: string): Promise<TwilioParticipant[]> {
    this.#ensureRunning("listParticipants");
    const sid = requireId(id, "conversationId");
    const found = await this.#call(
      { operation: "participants.list", resource: "participant", conversationSid: sid },
      () => this.#service.conversations(sid).participants.list(),
    );
    const participants = found.map(toParticipant);
    this.#participants.set(sid, participants);
    return participants;
  }

  /**
   * The delivery receipts (`DY…`) of one message (`IM…`): one per SMS/WhatsApp recipient,
   * each with its latest status and Twilio's error code. For catching up on receipts whose
   * `onDeliveryUpdated` webhook was missed; at most 20 (a message has one per recipient).
   */
  async listDeliveryReceipts(id: string, messageId: string): Promise<TwilioDeliveryReceipt[]> {
    this.#ensureRunning("listDeliveryReceipts");
    const sid = requireId(id, "conversationId");
    const messageSid = requireSid(messageId, "IM", "messageId", "a message SID");
    const found = await this.#call(
      { operation: "receipts.list", resource: "message", conversationSid: sid },
      () =>
        this.#service.conversations(sid).messages(messageSid).deliveryReceipts.list({ limit: 20 }),
    );
    return found.map((receipt) => ({
      sid: receipt.sid,
      messageSid: receipt.messageSid,
      status: String(receipt.status),
      errorCode: Number(receipt.errorCode) > 0 ? Number(receipt.errorCode) : null,
      dateUpdated: receipt.dateUpdated ?? null,
    }));
  }

  /**
   * Removes a participant (`MB…`) from the conversation; an SMS/WhatsApp participant's
   * address pair is then free for another conversation.
   */
  async removeParticipant(id: string, participantSid: string): Promise<void> {
    this.#ensureRunning("removeParticipant");
    const sid = requireId(id, "conversationId");
    const participant = requireSid(participantSid, "MB", "participantSid", "a participant SID");
    await this.#call(
      { operation: "participants.remove", resource: "participant", conversationSid: sid },
      () => this.#service.conversations(sid).participants(participant).remove(this.#webhookHeader),
    );
    this.#participants.delete(sid);
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────

  /**
   * Sends a message to everyone in the conversation and returns it as created. Media is
   * uploaded to Twilio's media service first and sent by `MediaSid`; a template goes as
   * `ContentSid` + `ContentVariables`. `from` becomes the Author; `to` is informational
   * (see `SendMessageInput.to`). A 5xx or timeout after the request left throws
   * `AmbiguousSendError` and is not retried: look for the message before resending.
   */
  sendMessage(id: string, input: SendMessageInput): Promise<TwilioMessage> {
    if (this.#stopped) return Promise.reject(new ProviderStoppedError("sendMessage"));
    let sid: string;
    let message: MessageRequest;
    try {
      sid = requireId(id, "conversationId");
      message = messageRequest(input);
    } catch (error) {
      return Promise.reject(error);
    }
    const { timeoutMs } = message;
    if (timeoutMs === undefined) return this.#track(this.#sendMessage(sid, message));
    const deadline = Date.now() + timeoutMs;
    return this.#track(withRequestDeadline(deadline, () => this.#sendMessage(sid, message)));
  }

  async #sendMessage(sid: string, message: MessageRequest): Promise<TwilioMessage> {
    const { fields } = message;
    const mediaSid = await this.#mediaSid(message.media);
    if (this.#senderBudget && this.#pacer !== undefined) {
      for (const sender of await this.#sendersOf(sid))
        await this.#pacer.acquire({ scope: "sender", key: sender });
    }
    const created = await this.#call(
      {
        operation: "messages.create",
        resource: "message",
        conversationSid: sid,
        isCreate: true,
        payload: {
          author: fields.author,
          attributes: fields.attributes,
          mediaSid,
          contentSid: fields.contentSid,
        },
      },
      () =>
        this.#service.conversations(sid).messages.create({
          ...this.#webhookHeader,
          ...fields,
          ...(mediaSid === undefined ? {} : { mediaSid }),
        }),
    );
    return toMessage(created, await this.#channelOf(sid));
  }

  /**
   * The bytes of an inbound media item (`ME…`), fetched with the account's credentials
   * through the media service and its short-lived signed link (see `downloadMedia`). A
   * stream: the runtime stops reading at its size limit.
   */
  fetchMedia(mediaSid: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    if (this.#stopped) return Promise.reject(new ProviderStoppedError("fetchMedia"));
    try {
      requireSid(mediaSid, "ME", "mediaSid", "a media SID");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call({ operation: "media.fetch" }, () =>
      downloadMedia(
        this.#http,
        { serviceSid: this.serviceSid, ...this.#uploadAs },
        mediaSid,
        signal,
      ),
    );
  }

  /**
   * Creates a Content API template (`POST https://content.twilio.com/v1/Content`) and
   * returns its `HX…` sid — e.g. the body `choicesToContent` builds for WhatsApp quick
   * replies and lists, which need no approval inside the 24-hour session.
   */
  async createContent(body: {
    friendly_name: string;
    language: string;
    types: Record<string, Record<string, unknown>>;
  }): Promise<string> {
    this.#ensureRunning("createContent");
    const created = await this.#call({ operation: "content.create", isCreate: true }, () =>
      this.#contents.create({
        friendly_name: body.friendly_name,
        language: body.language,
        types: body.types,
      } as unknown as Parameters<ContentListInstance["create"]>[0]),
    );
    return created.sid;
  }

  /** The conversation's history, oldest first by default, fetched page by page. */
  async *listMessages(id: string, options: ListMessagesOptions = {}): AsyncIterable<TwilioMessage> {
    this.#ensureRunning("listMessages");
    const sid = requireId(id, "conversationId");
    const { order, pageSize, limit, channel: knownChannel } = messageListOptions(options);
    const context = {
      operation: "messages.list",
      resource: "message",
      conversationSid: sid,
    } as const;
    let remaining = limit;
    if (remaining <= 0) return;
    const first = () =>
      this.#service.conversations(sid).messages.page({
        order,
        ...(pageSize === undefined ? {} : { pageSize }),
      });
    const channel = knownChannel ?? (await this.#channelOf(sid));
    for await (const item of this.#pages(context, first)) {
      yield toMessage(item, channel);
      remaining -= 1;
      if (remaining <= 0) return;
    }
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────

  /**
   * A stream of every new message in the conversation (`CH…`), as `handleWebhook` receives
   * them: each call gets its own complete stream. With `webhookEnabled` off (the default)
   * the provider's own sends are not among them. Ends on `stop()`, when the conversation is
   * closed or deleted, and when `signal` aborts; ends with `StreamOverflowError` (saying
   * how many messages were missed) when the consumer falls `bufferSize` messages behind.
   * Subscribed from the moment of the call, so nothing between the call and the first
   * `next()` is missed. Throws `ProviderStoppedError` after `stop()`.
   */
  receiveMessages(
    conversationId: string,
    options: StreamOptions = {},
  ): AsyncIterableIterator<TwilioMessage> {
    this.#ensureRunning("receiveMessages");
    const sid = requireId(conversationId, "conversationId");
    if (!/^CH[0-9a-fA-F]{32}$/.test(sid))
      throw new InvalidInputError(
        "conversationId",
        "receiveMessages needs the conversation SID (CH…), as webhooks carry it.",
      );
    const { bufferSize, signal } = streamOptions(options, this.#streamBufferSize);
    return this.#hub.messages(sid, bufferSize, signal);
  }

  /** A stream of every webhook event `handleWebhook` receives; same rules as `receiveMessages`. */
  events(options: StreamOptions = {}): AsyncIterableIterator<WebhookEvent> {
    this.#ensureRunning("events");
    const { bufferSize, signal } = streamOptions(options, this.#streamBufferSize);
    return this.#hub.events(bufferSize, signal);
  }

  /**
   * Runs `listener` for each event of `type` (`"*"` for all) that `handleWebhook` receives.
   * Returns a function that removes it. Throws `InvalidInputError` for a `type` that is no
   * event (naming the nearest one) or a `listener` that is not a function, and
   * `ProviderStoppedError` after `stop()`.
   */
  on<T extends WebhookEventType>(
    type: T,
    listener: (event: WebhookEventOf<T>) => unknown,
  ): () => void;
  on(type: "*", listener: WebhookListener): () => void;
  on(type: WebhookEventType | "*", listener: (event: never) => unknown): () => void {
    this.#ensureRunning("on");
    const checkedType = requireListenerType(type);
    requireListener(listener);
    return this.#hub.on(checkedType, listener as WebhookListener);
  }

  /**
   * The Auth Token and `webhookUrl` this provider verifies webhooks with (`parseWebhook`);
   * `createSwitchboard` uses them too unless told otherwise. Holds a secret: never log it.
   */
  get webhookVerification(): { readonly authToken?: string; readonly url?: string } {
    return { ...this.#webhookVerification };
  }

  /**
   * `parseWebhookEvent` with this provider's Auth Token and `webhookUrl` (the public URL
   * Twilio signs) filled in: verifies the signature, then parses. Throws
   * `WebhookSignatureError` (answer 403), `WebhookParseError` (400) and
   * `WebhookPayloadTooLargeError` (413) — the first also for an `input` that is no request.
   */
  parseWebhook(input: WebhookInput, options: ParseWebhookEventOptions = {}): Promise<WebhookEvent> {
    if (!isRequestLike(input))
      return Promise.reject(
        new WebhookParseError(
          "parseWebhook needs a Fetch Request, a Node IncomingMessage or { url, headers, body }.",
        ),
      );
    return parseWebhookEvent(input, { ...this.#webhookVerification, ...options });
  }

  /**
   * Delivers a parsed webhook event (`parseWebhookEvent`) to the streams and listeners.
   * Resolves when every listener has finished; rejects if one failed (answer the webhook
   * 500 then, so Twilio retries). Repeated `message.new` deliveries (same message SID) reach
   * the streams once, and the listeners until one delivery was handled without failure;
   * later repeats are dropped for everyone. Rejects with `ProviderStoppedError` after
   * `stop()` — nobody is left to take the event, so it must be answered 500 for Twilio to
   * retry it — and with `InvalidInputError` for a value that is no parsed event.
   */
  async handleWebhook(event: WebhookEvent): Promise<void> {
    this.#ensureRunning("handleWebhook");
    await this.#hub.dispatch(requireWebhookEvent(event));
  }

  // ── internals ────────────────────────────────────────────────────────────────────────

  /** Items of a REST list, one page at a time (the SDK follows `meta.next_page_url`). */
  async *#pages<T>(
    context: TwilioErrorContext,
    first: () => Promise<PageLike<T>>,
  ): AsyncIterable<T> {
    let page: PageLike<T> | undefined = await this.#call(context, first);
    while (page !== undefined) {
      yield* page.instances;
      const current: PageLike<T> = page;
      page = await this.#call(context, async () => current.nextPage());
    }
  }

  /** Runs one SDK call: tracked for `stop()`, its failure mapped to a typed error. */
  #call<T>(context: TwilioErrorContext, operation: () => Promise<T>): Promise<T> {
    return this.#track(
      (async () => {
        try {
          return await operation();
        } catch (error) {
          throw this.#toError(error, context);
        }
      })(),
    );
  }

  #toError(error: unknown, context: TwilioErrorContext): SwitchboardError {
    // Our own errors (bad input, stopped) pass through; only Twilio's get mapped.
    if (SwitchboardError.isSwitchboardError(error) && !(error instanceof TwilioError)) return error;
    const mapped =
      error instanceof TwilioHttpError
        ? toSwitchboardError(error, { ...context, retryAfter: error.retryAfter })
        : toSwitchboardError(error, context);
    this.#logger.debug(
      {
        operation: context.operation,
        code: mapped.code,
        twilioCode: mapped.twilioCode,
        status: mapped.status,
      },
      "twilio call failed",
    );
    return mapped;
  }

  #ensureRunning(operation: string): void {
    if (this.#stopped) throw new ProviderStoppedError(operation);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** The `ME…` SID to send: given, or got by uploading the (already checked) file. */
  async #mediaSid(media: MediaInput | undefined): Promise<string | undefined> {
    if (media === undefined) return undefined;
    if ("sid" in media) return media.sid;
    return this.#call({ operation: "media.upload", isCreate: true }, () =>
      uploadMedia(
        this.#http,
        this.#rawUploads,
        { serviceSid: this.serviceSid, ...this.#uploadAs },
        media,
      ),
    );
  }

  /** The conversation's participants: the cached list, else listed (and cached). */
  async #participantsOf(conversationId: string): Promise<TwilioParticipant[]> {
    return this.#participants.get(conversationId) ?? (await this.listParticipants(conversationId));
  }

  /** The conversation's proxy (sender) numbers, for the per-sender budget. */
  async #sendersOf(conversationId: string): Promise<string[]> {
    const participants = await this.#participantsOf(conversationId);
    return [...new Set(participants.flatMap((participant) => participant.proxyAddress ?? []))];
  }

  /**
   * The conversation's channel for labelling its messages (`channelOfParticipants`);
   * `undefined` when the participants cannot be listed, so a message already sent is
   * still returned, labelled by its author.
   */
  async #channelOf(conversationId: string): Promise<Channel | undefined> {
    try {
      return channelOfParticipants(await this.#participantsOf(conversationId));
    } catch {
      return undefined;
    }
  }

  async #explainAddressInUse(
    error: AddressInUseError,
    address: string,
    proxyAddress: string | undefined,
  ): Promise<AddressInUseError> {
    const holder =
      error.conversationSid ?? (await findAddressHolder(this.#service, address, proxyAddress));
    const pair = `${maskAddress(address)} with ${proxyAddress === undefined ? "its proxy address" : maskAddress(proxyAddress)}`;
    return new AddressInUseError(
      { address, proxyAddress, conversationSid: holder },
      `${pair} is already in ${holder === undefined ? "another open conversation" : `conversation ${holder}`} (50416); ` +
        "a customer address and proxy address pair can be in only one open conversation — add the participant there, or close that conversation first.",
      { cause: error, status: error.status, moreInfo: error.moreInfo },
    );
  }
}

/** Shaped like something `parseWebhookEvent` reads (a Fetch or Node request, or its parts). */
function isRequestLike(input: unknown): boolean {
  if (input instanceof Request) return true;
  if (typeof input !== "object" || input === null) return false;
  const { headers, url } = input as { headers?: unknown; url?: unknown };
  return typeof headers === "object" && headers !== null && typeof url === "string";
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}
