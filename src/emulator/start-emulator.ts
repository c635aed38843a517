import twilio from "twilio";
import { createEmulatorClock, type EmulatorClock } from "./clock.js";
import { defaultCredentials } from "./credentials.js";
import { parseBasicAuth, secretEquals } from "./http/basic-auth.js";
import { EmulatorRequestClient } from "./http/emulator-request-client.js";
import { EmulatorServer } from "./http/emulator-server.js";
import type { EmulatorPreHook, EmulatorRoute } from "./http/types.js";
import { accountConfigurationRoutes } from "./rest/account-configuration-routes.js";
import { addressConfigurationRoutes } from "./rest/address-configuration-routes.js";
import { conversationRoutes } from "./rest/conversation-routes.js";
import { conversationWebhookRoutes } from "./rest/conversation-webhook-routes.js";
import { conversationWithParticipantsRoutes } from "./rest/conversation-with-participants-routes.js";
import { messageRoutes } from "./rest/message-routes.js";
import { participantRoutes } from "./rest/participant-routes.js";
import { serviceRoutes } from "./rest/service-routes.js";
import { userRoutes } from "./rest/user-routes.js";
import { isSid } from "./sid.js";
import type { EmulatorEvents } from "./store/emulator-events.js";
import { EmulatorStore } from "./store/emulator-store.js";

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
  /** Extra route modules (Content API, media upload, control routes) mounted beside REST. */
  routes?: readonly EmulatorRoute[] | ((store: EmulatorStore) => readonly EmulatorRoute[]);
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** The default Conversations service (`IS…`) that exists from the start. */
  serviceSid: string;
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
  /** Replaces the state-change sink (webhooks). */
  setEvents(events: EmulatorEvents): void;
  /** Back to the start state: same credentials, same default service SID, timers cleared. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a local Twilio Conversations emulator. With no options it binds 127.0.0.1 on a
 * free port with fixed credentials and a default service.
 *
 * @example
 * const emulator = await startEmulator();
 * const client = emulator.twilioClient();
 * const conversation = await client.conversations.v1.conversations.create({ friendlyName: "Demo" });
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  if (options.accountSid !== undefined && !isSid(options.accountSid, "AC"))
    throw new TypeError("startEmulator: accountSid must be AC followed by 32 hex digits");
  const defaults = defaultCredentials(options.accountSid);
  const accountSid = defaults.accountSid;
  const authToken = options.authToken ?? defaults.authToken;
  const clock = options.clock ?? createEmulatorClock();
  const store = new EmulatorStore({ accountSid, defaultServiceSid: defaults.serviceSid, clock });
  const apiKeys = new Map<string, string>();

  const server = new EmulatorServer({
    accountSid,
    authenticate: (header) => {
      const credentials = parseBasicAuth(header);
      if (!credentials) return false;
      if (credentials.username === accountSid) return secretEquals(credentials.password, authToken);
      const secret = apiKeys.get(credentials.username);
      return secret !== undefined && secretEquals(credentials.password, secret);
    },
  });
  server.mount([
    ...serviceRoutes(store),
    ...accountConfigurationRoutes(store),
    ...addressConfigurationRoutes(store),
    ...conversationRoutes(store),
    ...conversationWithParticipantsRoutes(store),
    ...participantRoutes(store),
    ...messageRoutes(store),
    ...conversationWebhookRoutes(store),
    ...userRoutes(store),
  ]);
  if (options.routes)
    server.mount(typeof options.routes === "function" ? options.routes(store) : options.routes);

  const address = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    accountSid,
    authToken,
    serviceSid: defaults.serviceSid,
    clock,
    store,
    httpClient: () => new EmulatorRequestClient(url),
    twilioClient: () =>
      twilio(accountSid, authToken, { httpClient: new EmulatorRequestClient(url) }),
    addApiKey: (sid, secret) => {
      apiKeys.set(sid, secret);
    },
    mount: (routes) => server.mount(routes),
    addPreHook: (hook) => server.addPreHook(hook),
    setEvents: (events) => {
      store.events = events;
    },
    reset: () => store.reset(),
    close: async () => {
      store.reset();
      clock.clear();
      await server.close();
    },
  };
}
