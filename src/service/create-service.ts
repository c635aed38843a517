import { randomBytes } from "node:crypto";
import type { ChannelsConfig } from "../config/switchboard-config.js";
import { createRuntimeConsoleDeps } from "../console/adapter/runtime-console-deps.js";
import { createConsoleApi } from "../console/console-api.js";
import { consoleTokenRequired } from "../console/console-auth.js";
import { listenHttp, type NodeHandler } from "../http/listen-http.js";
import {
  checkReadiness,
  createRouter,
  type ReadinessCheck,
  type ReadinessReport,
} from "../http/router.js";
import { switchboardWebhookHandler } from "../http/serve-switchboard.js";
import { countEvents } from "../metrics/count-events.js";
import { createMetrics } from "../metrics/create-metrics.js";
import { observedAgent } from "../metrics/observed-agent.js";
import { observedProvider } from "../metrics/observed-provider.js";
import { observedWebhook } from "../metrics/observed-webhook.js";
import { createSwitchboard, type Switchboard } from "../runtime/create-switchboard.js";
import { liveEventSource } from "../runtime/live-event-source.js";
import { TwilioProvider } from "../twilio/provider/twilio-provider.js";
import { createProviderWebchatDeps } from "../webchat/adapter/provider-webchat-deps.js";
import { webchatSecretFromEnv } from "../webchat/load-webchat-secret.js";
import { createWebchatApi } from "../webchat/webchat-api.js";
import { webchatDemoPage } from "../webchat/webchat-demo-page.js";
import { DisposalStack } from "./disposal-stack.js";
import { openMailbox, openSharedPacer, resolveWebchatSecret } from "./open-storage.js";
import { operatorAuthor } from "./operator-author.js";
import type { ServiceOptions } from "./service-options.js";

/** The whole service, composed; see {@link createService}. */
export interface Service {
  /**
   * Every route on one Node request listener — webhook, `/healthz`, `/readyz`, `/metrics`,
   * web chat, console — to mount in your own server. Call `start()` for the workers.
   */
  readonly handler: NodeHandler;
  /** Catches up on missed messages, then starts the turn workers and the sender. */
  start(): Promise<void>;
  /**
   * Serves `handler` (default: the options' `host` and `port`), then starts. Webhooks are
   * accepted while the first catch-up runs. On failure, `close()` releases what was opened.
   */
  listen(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** The readiness report `/readyz` answers with (mailbox reachable, workers running). */
  ready(): Promise<ReadinessReport>;
  /**
   * Stops taking requests (ending open event streams), drains turns, stops the providers,
   * closes the pacer and the mailbox — everything it opened, newest first. Idempotent.
   */
  close(): Promise<void>;
  /** The runtime inside, for its events and operator actions. */
  readonly switchboard: Switchboard;
  /** The token the console asks for, when one is required. */
  readonly consoleToken: string | undefined;
  /** Whether `consoleToken` was generated (and should be printed). */
  readonly consoleTokenGenerated: boolean;
}

/**
 * The service as a library function: mailbox (SQLite or PostgreSQL), the shared pacer on
 * PostgreSQL, two providers, runtime, metrics, console and web chat behind one router.
 * `switchboard serve` and `dev` are thin faces over it. Everything it opens goes on one
 * disposal stack: a failure half-way closes what was opened, and `close()` undoes it all.
 *
 * ```ts
 * const service = await createService({ mode: "serve", host: "0.0.0.0", port: 3000, … });
 * await service.listen();
 * await service.close();
 * ```
 */
export async function createService(options: ServiceOptions): Promise<Service> {
  const { logger } = options;
  // A malformed key in the environment fails before anything is opened.
  const secretFromEnv = webchatSecretFromEnv(options.environment ?? process.env);
  const stack = new DisposalStack();
  try {
    return await compose(options, secretFromEnv, stack);
  } catch (error) {
    await stack.dispose().catch((cleanupError: unknown) => {
      logger.warn({ err: cleanupError }, "cleanup after a failed start failed");
    });
    throw error;
  }
}

async function compose(
  options: ServiceOptions,
  secretFromEnv: string | undefined,
  stack: DisposalStack,
): Promise<Service> {
  const { logger } = options;
  const mailbox = await openMailbox(options.database, options.policy);
  // Until the switchboard owns the mailbox (its close() drains turns, then closes it).
  let switchboardOwnsMailbox = false;
  stack.defer(() => (switchboardOwnsMailbox ? undefined : mailbox.close()));
  const webchatSecret = await resolveWebchatSecret(
    secretFromEnv,
    options.database,
    options.stateDirectory,
    mailbox,
  );
  const pacer = await openSharedPacer(options.database);
  if (pacer !== undefined) stack.defer(() => pacer.close());

  const providerOptions = {
    accountSid: options.twilio.accountSid,
    authToken: options.twilio.authToken,
    apiKeySid: options.twilio.apiKeySid,
    apiKeySecret: options.twilio.apiKeySecret,
    conversationsServiceSid: options.twilio.serviceSid,
    webhookUrl: options.twilio.webhookUrl,
    httpClient: options.twilio.httpClient,
    logger: logger.child({ component: "twilio" }),
    ...(pacer === undefined ? {} : { pacer }),
  };
  const provider = new TwilioProvider(providerOptions);
  stack.defer(() => provider.stop());
  // Visitor and operator messages must reach our webhook to enter the mailbox; the
  // runtime's own replies must not (that is what keeps the bot from answering itself).
  const facesProvider = new TwilioProvider({ ...providerOptions, webhookEnabled: true });
  stack.defer(() => facesProvider.stop());

  const metrics = createMetrics({
    processMetrics: true,
    deadLetters: async () => (await mailbox.deadLetters()).length,
    queueDepth: async () => {
      let waiting = 0;
      for (const sid of await mailbox.knownConversations())
        waiting += (await mailbox.conversation(sid))?.pendingCount ?? 0;
      return waiting;
    },
  });

  const switchboard = createSwitchboard({
    provider: observedProvider(provider, metrics),
    mailbox,
    agent: observedAgent(options.agent, metrics, options.agentDelayMs ?? 0),
    logger: logger.child({ component: "runtime" }),
    humanIdentities: [operatorAuthor],
    webhook: {
      path: options.webhookPath,
      ...(options.twilio.authToken === undefined ? {} : { authToken: options.twilio.authToken }),
      ...(options.twilio.webhookUrl === undefined ? {} : { url: options.twilio.webhookUrl }),
    },
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.botIdentities === undefined ? {} : { botIdentities: options.botIdentities }),
    ...(options.handoffKeywords === undefined ? {} : { handoffKeywords: options.handoffKeywords }),
    ...options.handoffs,
    ...(options.channels === undefined ? {} : { channels: channelOptions(options.channels) }),
  });
  switchboardOwnsMailbox = true;
  stack.defer(() => switchboard.close());
  countEvents(switchboard.events, metrics);
  // The faces show every instance's events (one instance's with SQLite); metrics count this one's.
  const faceEvents = liveEventSource(switchboard.live);

  const consoleTokenGenerated =
    options.consoleToken === undefined && consoleTokenRequired(options.host);
  const consoleToken = consoleTokenGenerated
    ? randomBytes(18).toString("base64url")
    : options.consoleToken;
  const faceLogger = logger.child({ component: "faces" });
  const consoleApi = createConsoleApi(
    createRuntimeConsoleDeps({
      switchboard,
      events: faceEvents,
      info: { mode: options.mode, ...options.consoleInfo },
      sendAsHuman: async (conversationSid, text) => {
        const sent = await facesProvider.sendMessage(conversationSid, {
          content: text,
          from: operatorAuthor,
        });
        return { messageSid: sent.id };
      },
      ...(options.sendAsCustomer === undefined ? {} : { sendAsCustomer: options.sendAsCustomer }),
    }),
    { ...(consoleToken === undefined ? {} : { token: consoleToken }), logger: faceLogger },
  );
  const webchatApi = createWebchatApi(
    createProviderWebchatDeps({
      provider: facesProvider,
      events: faceEvents,
      humanAuthors: [operatorAuthor],
    }),
    { secret: webchatSecret, logger: faceLogger },
  );

  let running = false;
  const readiness = {
    mailbox: async (): Promise<ReadinessCheck> => {
      await mailbox.getMeta("readiness-probe");
      return { ok: true };
    },
    provider: (): ReadinessCheck => (running ? { ok: true } : { ok: false, detail: "not started" }),
    workers: (): ReadinessCheck => (running ? { ok: true } : { ok: false, detail: "not running" }),
  };
  const handler = createRouter({
    webhook: {
      path: switchboard.webhook.path,
      handler: observedWebhook(switchboardWebhookHandler(switchboard), metrics),
    },
    health: () => switchboard.health(),
    readiness,
    metrics: () => metrics.render(),
    faces:
      options.mode === "dev"
        ? [webchatDemoPage(), webchatApi, consoleApi]
        : [webchatApi, consoleApi],
  });

  const start = async () => {
    await switchboard.start();
    running = true;
  };
  let listening: Promise<{ url: string; port: number }> | undefined;
  const listen = (listenOptions: { port?: number; host?: string } = {}) => {
    listening ??= (async () => {
      const opened = await listenHttp(handler, {
        port: listenOptions.port ?? options.port,
        host: listenOptions.host ?? options.host,
      });
      stack.defer(async () => {
        // Event streams stay open forever; end them so the server can close.
        const closed = opened.close();
        opened.server.closeAllConnections();
        await closed;
      });
      await start();
      logger.info({ url: opened.url, mode: options.mode }, "switchboard listening");
      return { url: opened.url, port: opened.port };
    })();
    return listening;
  };
  let closing: Promise<void> | undefined;

  return {
    handler,
    start,
    listen,
    ready: () => checkReadiness(readiness),
    close() {
      closing ??= (async () => {
        running = false;
        await stack.dispose();
        logger.info("switchboard stopped");
      })();
      return closing;
    },
    switchboard,
    consoleToken,
    consoleTokenGenerated,
  };
}

function channelOptions(channels: ChannelsConfig) {
  const template = channels.whatsapp?.template;
  return {
    ...(channels.sms === undefined ? {} : { sms: channels.sms }),
    ...(template === undefined ? {} : { whatsapp: { template } }),
  };
}
