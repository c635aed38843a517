// Over 400 lines on purpose: the emulator's composition root, where every store, route and service
// is wired in one place.
import twilio from "twilio";
import { createLogger } from "../log/create-logger.js";
import {
  type BusinessNumbers,
  defaultBusinessNumbers,
  installBusinessNumbers,
} from "./business-numbers.js";
import { createEmulatorClock, type EmulatorClock } from "./clock.js";
import { createApprovalControlRoutes } from "./content/approval-control-routes.js";
import { createContentRoutes } from "./content/content-routes.js";
import {
  type ContentApprovalMode,
  type ContentStore,
  createContentStore,
} from "./content/content-store.js";
import { createBindingControlRoutes } from "./control/binding-control-routes.js";
import { createControlRoutes } from "./control/control-routes.js";
import { type Customer, type CustomerOptions, createCustomer } from "./control/customer.js";
import { defaultCredentials } from "./credentials.js";
import { createChannelDelivery, type DeviceMessage } from "./delivery/channel-delivery.js";
import type { DeliveryFailure, DeliveryFailureRule } from "./delivery/delivery-failures.js";
import type { DeliveryEntry } from "./delivery/delivery-log.js";
import { createFaultControlRoutes } from "./faults/fault-control-routes.js";
import { createRestFaultEngine, createWebhookFaultEngine } from "./faults/fault-rule-set.js";
import { parseBasicAuth, secretEquals } from "./http/basic-auth.js";
import { EmulatorRequestClient } from "./http/emulator-request-client.js";
import { type EmulatorLogger, EmulatorServer } from "./http/emulator-server.js";
import type { EmulatorPreHook, EmulatorRoute } from "./http/types.js";
import { collectInspectorState } from "./inspector/collect-inspector-state.js";
import { createInspectorRoutes, inspectorStreamPath } from "./inspector/inspector-routes.js";
import { createInspectorStream } from "./inspector/inspector-stream.js";
import { createMediaRoutes } from "./media/media-routes.js";
import { createMediaStore, type MediaStore } from "./media/media-store.js";
import {
  createEmulatorPersistence,
  type EmulatorPersistence,
  restoreEmulatorSnapshot,
} from "./persistence/emulator-persistence.js";
import { openEmulatorStateFile } from "./persistence/emulator-state-file.js";
import { accountConfigurationRoutes } from "./rest/account-configuration-routes.js";
import { addressConfigurationRoutes } from "./rest/address-configuration-routes.js";
import { bindingRoutes } from "./rest/binding-routes.js";
import { conversationRoutes } from "./rest/conversation-routes.js";
import { conversationWebhookRoutes } from "./rest/conversation-webhook-routes.js";
import { conversationWithParticipantsRoutes } from "./rest/conversation-with-participants-routes.js";
import { credentialRoutes } from "./rest/credential-routes.js";
import { messageRoutes } from "./rest/message-routes.js";
import { notificationRoutes } from "./rest/notification-routes.js";
import { participantConversationRoutes } from "./rest/participant-conversation-routes.js";
import { participantRoutes } from "./rest/participant-routes.js";
import { roleRoutes } from "./rest/role-routes.js";
import { serviceRoutes } from "./rest/service-routes.js";
import { userConversationRoutes } from "./rest/user-conversation-routes.js";
import { userRoutes } from "./rest/user-routes.js";
import { isSid } from "./sid.js";
import type { EmulatorEvents } from "./store/emulator-events.js";
import { EmulatorStore } from "./store/emulator-store.js";
import { postEventTypes } from "./webhooks/event-types.js";
import { createStoreWebhookEvents } from "./webhooks/store-webhook-events.js";
import type { WebhookDeliveryRecord } from "./webhooks/webhook-delivery-log.js";
import { createWebhookDispatcher } from "./webhooks/webhook-dispatcher.js";

export interface StartEmulatorOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to bind; `127.0.0.1` by default so nothing outside the machine can reach it. */
  host?: string;
  /** Account SID (`AC…`); a fixed default so tests and examples can hard-code it. */
  accountSid?: string;
  /** Auth token; a fixed default unless given. */
  authToken?: string;
  /** Clock for timers; a real-time clock that tests can `advance()` by default. */
  clock?: EmulatorClock;
  /** Extra route modules mounted beside REST and the emulator's own modules. */
  routes?: readonly EmulatorRoute[] | ((store: EmulatorStore) => readonly EmulatorRoute[]);
  /** The business numbers; Twilio's documentation numbers by default. */
  numbers?: Partial<BusinessNumbers>;
  /**
   * Points the default service's post-event webhook (every post-event filter) at this URL,
   * as a console setup would; kept across `reset()`.
   */
  webhookUrl?: string;
  /** Post-event webhook retries after a failed first attempt (default 3). */
  webhookRetries?: number;
  /** Wait before retry `n` (1-based), in ms; default 1 s, 2 s, 4 s … capped at 30 s. */
  webhookBackoff?: (retry: number) => number;
  /** How long one webhook attempt may take (default 5000 ms, Twilio's limit). */
  webhookTimeoutMs?: number;
  /**
   * WhatsApp approval of Content templates. `automatic` (default): every template counts as
   * approved. `manual`: a template needs an approval request and a decision through
   * `POST /_emulator/content/{sid}/approval`; until approved it fails with 63016 outside the
   * customer's 24-hour window, as an unapproved template does on Twilio.
   */
  contentApproval?: ContentApprovalMode;
  /**
   * A file (created if missing) that keeps the emulator's state across restarts: services,
   * conversations, participants, messages, media (bytes too), templates, webhooks, address
   * configurations, device inboxes and the clock. Saved a moment after each change and on
   * `close()`. Without it (the default) the emulator lives in memory only. A file it
   * cannot use (corrupt, another format, another account) is refused with an
   * `EmulatorStateError` naming it.
   */
  statePath?: string;
  /**
   * Told of every unexpected error the emulator answers with 500, one `error` line each
   * naming the route (a switchboard or pino logger fits). Default: switchboard's logger on
   * standard error, which redacts secrets and masks phone numbers.
   */
  logger?: EmulatorLogger;
}

/** A running emulator. */
export interface Emulator {
  /**
   * Base URL, e.g. `http://127.0.0.1:43121`: the REST API, the control API under
   * `/_emulator/` and the inspector. The official SDK reaches it through `httpClient()`.
   */
  url: string;
  /** The emulated account (`AC…`): the Basic-auth user and every resource's `account_sid`. */
  accountSid: string;
  /**
   * The account's Auth Token: the Basic-auth password, and the key webhooks are signed
   * with (`X-Twilio-Signature`), so `twilio.validateRequest` works against it.
   */
  authToken: string;
  /** The default Conversations service (`IS…`) that exists from the start. */
  serviceSid: string;
  /** The business SMS number and WhatsApp sender, each auto-creating conversations. */
  numbers: BusinessNumbers;
  /** The live inspector page (`{url}/_emulator/`). */
  inspectorUrl: string;
  /**
   * The clock behind conversation timers, media URL expiry and timestamps; `advance(ms)`
   * moves it (also `POST /_emulator/clock`) so timer behaviour is testable without waiting.
   */
  clock: EmulatorClock;
  /** The in-memory state and its actions' context (internal; for the other emulator modules). */
  store: EmulatorStore;
  /** A request client for the official SDK sending every Twilio host to this emulator. */
  httpClient(): EmulatorRequestClient;
  /** An official `twilio` client wired to this emulator. */
  twilioClient(): twilio.Twilio;
  /** Accepts `sid:secret` as Basic credentials, as a Twilio API key (`SK…`) would be. */
  addApiKey(sid: string, secret: string): void;
  /** Mounts more routes on the running server. */
  mount(routes: readonly EmulatorRoute[]): void;
  /** Adds a hook run before routing (after auth); returns a remover. */
  addPreHook(hook: EmulatorPreHook): () => void;
  /** Replaces the webhook sink; device delivery and the inspector keep observing changes. */
  setEvents(events: EmulatorEvents): void;
  /**
   * A simulated customer on one channel: `send(text)` writes to us as that customer would
   * (same as `POST /_emulator/inbound`), `messages()` is what their device received.
   */
  customer(options: CustomerOptions): Customer;
  /** What this customer address (or chat identity) received, oldest first. */
  deviceMessages(address: string): DeviceMessage[];
  /**
   * Makes every later delivery to this customer address fail as Twilio reports it:
   * `unreachable` (30003), `carrier-filtered` (30007), `opted-out` (21610) … (also
   * `POST /_emulator/delivery-failures`); `null` lifts it.
   */
  setDeliveryFailure(
    address: string,
    failure: DeliveryFailure | null,
  ): DeliveryFailureRule | undefined;
  /** Every outbound SMS/WhatsApp delivery with its receipt status history (`GET /_emulator/deliveries`). */
  deliveries(): DeliveryEntry[];
  /** The webhook delivery log, oldest first (`GET /_emulator/webhooks`). */
  webhookDeliveries(): WebhookDeliveryRecord[];
  /** Resolves once no webhook delivery or channel delivery step is pending. */
  idle(): Promise<void>;
  /** The Content API templates (`HX…`). */
  content: ContentStore;
  /** The media service uploads (`ME…`). */
  media: MediaStore;
  /**
   * Back to the start state: same credentials, default service and numbers; conversations,
   * devices, media, templates, webhook log and fault rules cleared; timers cancelled.
   */
  reset(): void;
  /** Stops the server (dropping open connections) and cancels timers and pending webhooks. */
  close(): Promise<void>;
}

/**
 * Starts a local Twilio Conversations emulator. With no options it binds 127.0.0.1 on a
 * free port with fixed credentials and a default service.
 *
 * It owns an SMS number and a WhatsApp sender that auto-create conversations, delivers
 * messages to simulated customer devices with receipts, fires signed webhooks, and serves
 * the Content API, the media service, fault injection, a movable clock and a live
 * inspector at `/_emulator/`.
 *
 * @example
 * const emulator = await startEmulator({ webhookUrl: "http://127.0.0.1:3000/twilio" });
 * const maya = emulator.customer({ channel: "sms", address: "+15551230001" });
 * const { conversationSid } = await maya.send("Is my order ready?"); // webhooks fire
 * await emulator.twilioClient().conversations.v1
 *   .conversations(conversationSid)
 *   .messages.create({ author: "agent", body: "Yes, it ships today." });
 * await emulator.idle();
 * maya.messages(); // [{ body: "Yes, it ships today.", status: "delivered", … }]
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  if (options.accountSid !== undefined && !isSid(options.accountSid, "AC"))
    throw new TypeError("startEmulator: accountSid must be AC followed by 32 hex digits");
  const defaults = defaultCredentials(options.accountSid);
  const accountSid = defaults.accountSid;
  const authToken = options.authToken ?? defaults.authToken;
  const clock = options.clock ?? createEmulatorClock();
  const store = new EmulatorStore({ accountSid, defaultServiceSid: defaults.serviceSid, clock });
  const numbers: BusinessNumbers = { ...defaultBusinessNumbers, ...options.numbers };
  if (!/^\+[1-9]\d{6,14}$/.test(numbers.sms))
    throw new TypeError("startEmulator: numbers.sms must be an E.164 number such as +15017122661");
  if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(numbers.whatsapp))
    throw new TypeError("startEmulator: numbers.whatsapp must look like whatsapp:+14155238886");
  if (options.webhookUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.webhookUrl))
    throw new TypeError("startEmulator: webhookUrl must be an absolute http(s) URL");
  if (
    options.contentApproval !== undefined &&
    options.contentApproval !== "automatic" &&
    options.contentApproval !== "manual"
  )
    throw new TypeError('startEmulator: contentApproval must be "automatic" or "manual"');
  const apiKeys = new Map<string, string>();
  const subscribers = new Set<() => void>();
  const notify = () => {
    for (const subscriber of subscribers) subscriber();
  };
  let url = "";

  const content = createContentStore({
    now: clock.now,
    ...(options.contentApproval === undefined ? {} : { approval: options.contentApproval }),
  });
  const media = createMediaStore({ now: clock.now });
  const restFaults = createRestFaultEngine();
  const webhookFaults = createWebhookFaultEngine();
  const dispatcher = createWebhookDispatcher({
    authToken,
    now: clock.now,
    faults: webhookFaults,
    ...(options.webhookRetries === undefined ? {} : { retries: options.webhookRetries }),
    ...(options.webhookBackoff === undefined ? {} : { backoff: options.webhookBackoff }),
    ...(options.webhookTimeoutMs === undefined ? {} : { timeoutMs: options.webhookTimeoutMs }),
  });
  const delivery = createChannelDelivery({
    store,
    content,
    mediaUrl: (sid) => `${url}/_emulator/media/${sid}?${media.signDownload(sid)}`,
    onChange: notify,
  });
  store.lookups = {
    lookupMedia: (sid) => media.lookupMedia(sid, accountSid),
    lookupContent: (sid) => {
      const template = content.get(sid, accountSid);
      return template ? { sid: template.sid } : undefined;
    },
    attachMedia: (sid, message) => void media.attach(sid, message),
  };
  let webhookEvents: EmulatorEvents = createStoreWebhookEvents(store, dispatcher);
  store.events = {
    pre: async (event) => {
      try {
        return await webhookEvents.pre(event);
      } finally {
        notify();
      }
    },
    post: (event) => {
      delivery.observe(event);
      notify();
      const result = webhookEvents.post(event);
      return result instanceof Promise ? result.finally(notify) : result;
    },
  };

  const applyStartState = () => {
    installBusinessNumbers(store, numbers);
    if (options.webhookUrl !== undefined) {
      const service = store.service(undefined);
      service.webhooks = {
        ...service.webhooks,
        postWebhookUrl: options.webhookUrl,
        filters: [...postEventTypes],
        method: "POST",
      };
    }
  };
  let persistence: EmulatorPersistence | undefined;
  if (options.statePath !== undefined) {
    if (typeof options.statePath !== "string" || options.statePath.trim() === "")
      throw new TypeError("startEmulator: statePath must be a file path");
    const file = await openEmulatorStateFile(options.statePath, accountSid);
    const parts = { store, content, media, delivery, clock };
    try {
      const saved = file.load();
      if (saved !== undefined) restoreEmulatorSnapshot(parts, saved, file.path);
    } catch (error) {
      file.close();
      throw error;
    }
    persistence = createEmulatorPersistence(file, parts);
    subscribers.add(() => persistence?.changed());
  }
  // After a restore too: this start's webhook URL and numbers win over the saved ones.
  applyStartState();
  const reset = () => {
    store.reset();
    applyStartState();
    content.clear();
    media.clear();
    delivery.reset();
    dispatcher.log.clear();
    restFaults.clear();
    webhookFaults.clear();
    notify();
  };

  const server = new EmulatorServer({
    accountSid,
    logger:
      options.logger ?? createLogger({ level: "error", pretty: true, destination: process.stderr }),
    authenticate: (header) => {
      const credentials = parseBasicAuth(header);
      if (!credentials) return false;
      if (credentials.username === accountSid) return secretEquals(credentials.password, authToken);
      const secret = apiKeys.get(credentials.username);
      return secret !== undefined && secretEquals(credentials.password, secret);
    },
  });
  server.setRestFaults(restFaults);
  if (persistence !== undefined) {
    const saving = persistence;
    // Any write may change state (REST, control API, clock); reads never do.
    server.addPreHook((request) => {
      if (request.method !== "GET" && request.method !== "HEAD") saving.changed();
      return undefined;
    });
  }
  server.mount([
    ...serviceRoutes(store),
    ...accountConfigurationRoutes(store),
    ...addressConfigurationRoutes(store),
    ...conversationRoutes(store),
    ...conversationWithParticipantsRoutes(store),
    ...participantConversationRoutes(store),
    ...participantRoutes(store),
    ...messageRoutes(store),
    ...conversationWebhookRoutes(store),
    ...userRoutes(store),
    ...userConversationRoutes(store),
    ...roleRoutes(store),
    ...credentialRoutes(store),
    ...bindingRoutes(store),
    ...notificationRoutes(store),
    ...createContentRoutes({ store: content }),
    ...createApprovalControlRoutes(content),
    ...createBindingControlRoutes(store),
  ]);
  const inbound = { store, media, delivery, numbers };
  const getState = () =>
    collectInspectorState({ store, numbers, delivery, webhookLog: dispatcher.log });
  server.mount(
    createControlRoutes({
      inbound,
      delivery,
      clock,
      reset,
      faults: createFaultControlRoutes({
        restFaults,
        webhookFaults,
        webhookLog: dispatcher.log,
      }),
    }),
  );
  server.mount(createInspectorRoutes({ getState }));
  server.addRawRoute(
    "GET",
    inspectorStreamPath,
    createInspectorStream({
      getState,
      subscribe: (onChange) => {
        subscribers.add(onChange);
        return () => subscribers.delete(onChange);
      },
    }),
  );
  if (options.routes)
    server.mount(typeof options.routes === "function" ? options.routes(store) : options.routes);

  let address: Awaited<ReturnType<EmulatorServer["listen"]>>;
  try {
    address = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  } catch (error) {
    // Restored conversation timers are armed on the clock already; nothing may fire now.
    clock.clear();
    persistence?.close();
    throw error;
  }
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  server.mount(
    createMediaRoutes({
      store: media,
      publicBaseUrl: url,
      knowsService: (serviceSid) => store.services.has(serviceSid),
    }),
  );

  return {
    url,
    accountSid,
    authToken,
    serviceSid: defaults.serviceSid,
    numbers: { ...numbers },
    inspectorUrl: `${url}/_emulator/`,
    clock,
    store,
    content,
    media,
    httpClient: () => new EmulatorRequestClient(url),
    twilioClient: () =>
      twilio(accountSid, authToken, { httpClient: new EmulatorRequestClient(url) }),
    addApiKey: (sid, secret) => {
      apiKeys.set(sid, secret);
    },
    mount: (routes) => server.mount(routes),
    addPreHook: (hook) => server.addPreHook(hook),
    setEvents: (events) => {
      webhookEvents = events;
    },
    customer: (customerOptions) => createCustomer(inbound, customerOptions),
    deviceMessages: (customerAddress) => delivery.deviceMessages(customerAddress),
    setDeliveryFailure: (customerAddress, failure) => delivery.setFailure(customerAddress, failure),
    deliveries: () => delivery.deliveries(),
    webhookDeliveries: () => dispatcher.log.entries(),
    idle: async () => {
      // A delivery step may fire webhooks and a webhook answer may not start new steps,
      // so two rounds settle everything in flight.
      for (let round = 0; round < 2; round += 1) {
        await delivery.idle();
        await dispatcher.idle();
      }
    },
    reset,
    close: async () => {
      if (persistence !== undefined) {
        // Let deliveries already under way land in the saved inboxes, then save.
        let waited: NodeJS.Timeout | undefined;
        await Promise.race([
          delivery.idle(),
          new Promise((resolve) => {
            waited = setTimeout(resolve, 1000);
          }),
        ]);
        clearTimeout(waited);
        persistence.close();
      }
      subscribers.clear();
      delivery.reset();
      await dispatcher.close();
      store.reset();
      clock.clear();
      await server.close();
    },
  };
}
