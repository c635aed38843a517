import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type twilio from "twilio";
import type { Agent } from "../agents/types.js";
import type { DatabaseLocation } from "../config/parse-database-url.js";
import type { ChannelsConfig, WorkersConfig } from "../config/switchboard-config.js";
import { createConsoleApi } from "../console/console-api.js";
import { consoleTokenRequired } from "../console/console-auth.js";
import type { ConsoleDeps, ConsoleInfo } from "../console/console-deps.js";
import { createAppHandler } from "../http/create-app-handler.js";
import { listenHttp, type RunningServer } from "../http/server.js";
import type { Logger } from "../log/create-logger.js";
import type { MailboxStore, TurnPolicy } from "../mailbox/mailbox-store.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { createMetrics } from "../metrics/create-metrics.js";
import { createSwitchboard } from "../runtime/create-switchboard.js";
import { withSpan } from "../telemetry/with-span.js";
import { TwilioProvider } from "../twilio/provider/twilio-provider.js";
import {
  loadSharedWebchatSecret,
  loadWebchatSecret,
  webchatSecretFromEnv,
} from "../webchat/load-webchat-secret.js";
import { createWebchatApi } from "../webchat/webchat-api.js";
import { liveEventSource } from "./live-event-source.js";
import { observedAgent } from "./observed-agent.js";
import { observedProvider } from "./observed-provider.js";
import { createProviderWebchatDeps } from "./provider-webchat-deps.js";
import { createRuntimeConsoleDeps } from "./runtime-console-deps.js";
import { webchatDemoPage } from "./webchat-demo-page.js";

/** Everything {@link startService} needs, already resolved and validated. */
export interface ServiceSettings {
  mode: "dev" | "serve";
  port: number;
  host: string;
  /** `.switchboard/`: the SQLite mailbox (by default) and the web chat secret. */
  stateDirectory: string;
  /** Where `SWITCHBOARD_WEBCHAT_SECRET` is read from. Default `process.env`. */
  environment?: Readonly<Record<string, string | undefined>> | undefined;
  database: DatabaseLocation;
  agent: Agent;
  twilio: {
    accountSid: string;
    authToken?: string | undefined;
    apiKeySid?: string | undefined;
    apiKeySecret?: string | undefined;
    serviceSid: string;
    /** The public URL Twilio signs; `undefined`: the URL the request arrived at. */
    webhookUrl?: string | undefined;
    /** How the SDK reaches Twilio; the emulator's request client in dev. */
    httpClient?: twilio.RequestClient | undefined;
  };
  webhookPath: string;
  /** Given: used; absent: generated when the host is not loopback. */
  consoleToken?: string | undefined;
  consoleInfo: Omit<ConsoleInfo, "mode">;
  sendAsCustomer?: ConsoleDeps["sendAsCustomer"];
  workers?: WorkersConfig | undefined;
  channels?: ChannelsConfig | undefined;
  policy?: TurnPolicy | undefined;
  botIdentities?: readonly string[] | undefined;
  handoffKeywords?: readonly string[] | undefined;
  logger: Logger;
  /** A pause before every answer so the typing indicator shows; default 0. */
  agentDelayMs?: number | undefined;
}

/** A running service. */
export interface RunningService {
  url: string;
  port: number;
  /** The token the console asks for, when one is required. */
  consoleToken: string | undefined;
  /** Whether `consoleToken` was generated (and should be printed). */
  consoleTokenGenerated: boolean;
  /** Stops taking requests, drains turns, stops the providers, closes the mailbox. */
  close(): Promise<void>;
}

/** The Author of an operator's messages from the console. */
export const operatorAuthor = "operator";

/**
 * Assembles the service: mailbox, providers, runtime, metrics, console and web chat on one
 * HTTP server. The webhook, `/healthz`, `/readyz` and `/metrics` sit beside the faces.
 */
export async function startService(settings: ServiceSettings): Promise<RunningService> {
  const { logger } = settings;
  // A malformed key in the environment fails before anything is opened.
  const secretFromEnv = webchatSecretFromEnv(settings.environment ?? process.env);
  const mailbox = await openMailbox(settings.database, settings.policy);
  let webchatSecret: string;
  try {
    webchatSecret = await resolveWebchatSecret(secretFromEnv, settings, mailbox);
  } catch (error) {
    await mailbox.close();
    throw error;
  }
  // On PostgreSQL every instance shares one budget for Twilio's per-conversation and
  // per-service limits; on SQLite (one machine) the provider's in-process pacer is enough.
  let pacer: Awaited<ReturnType<typeof openSharedPacer>>;
  try {
    pacer = await openSharedPacer(settings.database);
  } catch (error) {
    await mailbox.close();
    throw error;
  }
  const providerOptions = {
    accountSid: settings.twilio.accountSid,
    authToken: settings.twilio.authToken,
    apiKeySid: settings.twilio.apiKeySid,
    apiKeySecret: settings.twilio.apiKeySecret,
    conversationsServiceSid: settings.twilio.serviceSid,
    webhookUrl: settings.twilio.webhookUrl,
    httpClient: settings.twilio.httpClient,
    logger: logger.child({ component: "twilio" }),
    ...(pacer === undefined ? {} : { pacer }),
  };
  let provider: TwilioProvider;
  let facesProvider: TwilioProvider;
  try {
    provider = new TwilioProvider(providerOptions);
    // Visitor and operator messages must reach our webhook to enter the mailbox; the
    // runtime's own replies must not (that is what keeps the bot from answering itself).
    facesProvider = new TwilioProvider({ ...providerOptions, webhookEnabled: true });
  } catch (error) {
    await pacer?.close();
    await mailbox.close();
    throw error;
  }

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
    agent: observedAgent(settings.agent, metrics, settings.agentDelayMs ?? 0),
    logger: logger.child({ component: "runtime" }),
    humanIdentities: [operatorAuthor],
    webhook: {
      path: settings.webhookPath,
      ...(settings.twilio.authToken === undefined ? {} : { authToken: settings.twilio.authToken }),
      ...(settings.twilio.webhookUrl === undefined ? {} : { url: settings.twilio.webhookUrl }),
    },
    ...(settings.workers === undefined ? {} : { workers: settings.workers }),
    ...(settings.botIdentities === undefined ? {} : { botIdentities: settings.botIdentities }),
    ...(settings.handoffKeywords === undefined
      ? {}
      : { handoffKeywords: settings.handoffKeywords }),
    ...(settings.channels === undefined ? {} : { channels: channelOptions(settings.channels) }),
  });
  countEvents(switchboard.events, metrics);
  // The faces show every instance's events (one instance's with SQLite); metrics count this one's.
  const faceEvents = liveEventSource(switchboard.live);

  const consoleTokenGenerated =
    settings.consoleToken === undefined && consoleTokenRequired(settings.host);
  const consoleToken = consoleTokenGenerated
    ? randomBytes(18).toString("base64url")
    : settings.consoleToken;
  const faceLogger = logger.child({ component: "faces" });
  const consoleApi = createConsoleApi(
    createRuntimeConsoleDeps({
      switchboard,
      events: faceEvents,
      info: { mode: settings.mode, ...settings.consoleInfo },
      sendAsHuman: async (conversationSid, text) => {
        const sent = await facesProvider.sendMessage(conversationSid, {
          content: text,
          from: operatorAuthor,
        });
        return { messageSid: sent.id };
      },
      ...(settings.sendAsCustomer === undefined ? {} : { sendAsCustomer: settings.sendAsCustomer }),
    }),
    { ...(consoleToken === undefined ? {} : { token: consoleToken }), logger: faceLogger },
  );
  const webchatApi = createWebchatApi(
    createProviderWebchatDeps({
      provider: facesProvider,
      events: faceEvents,
      humanAuthors: [operatorAuthor],
    }),
    {
      secret: webchatSecret,
      logger: faceLogger,
    },
  );

  let running = false;
  const handler = createAppHandler({
    switchboard: observedWebhook(switchboard.handler, settings.webhookPath, metrics),
    webhookPath: settings.webhookPath,
    faces:
      settings.mode === "dev"
        ? [webchatDemoPage(), webchatApi, consoleApi]
        : [webchatApi, consoleApi],
    metrics: () => metrics.render(),
    readiness: {
      mailbox: async () => {
        await mailbox.getMeta("readiness-probe");
        return { ok: true };
      },
      provider: () => (running ? { ok: true } : { ok: false, detail: "not started" }),
      workers: () => (running ? { ok: true } : { ok: false, detail: "not running" }),
    },
  });

  let server: RunningServer;
  try {
    server = await listenHttp(handler, { port: settings.port, host: settings.host });
  } catch (error) {
    await pacer?.close();
    await mailbox.close();
    throw error;
  }
  try {
    await switchboard.start();
  } catch (error) {
    await server.close();
    await switchboard.close().catch(() => {});
    await pacer?.close();
    throw error;
  }
  running = true;
  logger.info({ url: server.url, mode: settings.mode }, "switchboard listening");

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    consoleToken,
    consoleTokenGenerated,
    close() {
      closing ??= (async () => {
        running = false;
        // Event streams stay open forever; end them so the server can close.
        const closed = server.close();
        server.server.closeAllConnections();
        await closed;
        await switchboard.close();
        await provider.stop();
        await facesProvider.stop();
        await pacer?.close();
        logger.info("switchboard stopped");
      })();
      return closing;
    },
  };
}

async function openMailbox(
  database: DatabaseLocation,
  policy: TurnPolicy | undefined,
): Promise<MailboxStore> {
  const common = policy === undefined ? {} : { defaultPolicy: policy };
  if (database.kind === "sqlite") return sqliteMailbox({ path: database.path, ...common });
  const { postgresMailbox } = await import("../mailbox/postgres/postgres-mailbox.js");
  // Connect here, so an unreachable database fails `serve` before anything else starts.
  const mailbox = postgresMailbox({ ...postgresConnection(database), ...common });
  await mailbox.start();
  return mailbox;
}

async function openSharedPacer(database: DatabaseLocation) {
  if (database.kind !== "postgres") return undefined;
  const { postgresPacer } = await import("../mailbox/postgres/postgres-pacer.js");
  return postgresPacer(postgresConnection(database));
}

/** The pool size and migrate choice `serve` was given, for the mailbox and the pacer alike. */
function postgresConnection(database: DatabaseLocation & { kind: "postgres" }) {
  return {
    connectionString: database.connectionString,
    ...(database.poolSize === undefined ? {} : { poolSize: database.poolSize }),
    ...(database.migrate === undefined ? {} : { migrate: database.migrate }),
  };
}

/**
 * The key that signs web chat visitor tokens, the same on every instance a visitor may reach:
 * `SWITCHBOARD_WEBCHAT_SECRET` when set; else, on a mailbox instances share (PostgreSQL), a
 * key kept in it and created once; else (SQLite, one machine) a file in `.switchboard/`.
 */
async function resolveWebchatSecret(
  fromEnv: string | undefined,
  settings: ServiceSettings,
  mailbox: MailboxStore,
): Promise<string> {
  if (fromEnv !== undefined) return fromEnv;
  if (settings.database.kind === "postgres") return loadSharedWebchatSecret(mailbox);
  return loadWebchatSecret(join(settings.stateDirectory, "webchat-secret"));
}

function channelOptions(channels: ChannelsConfig) {
  const template = channels.whatsapp?.template;
  return {
    ...(channels.sms === undefined ? {} : { sms: channels.sms }),
    ...(template === undefined ? {} : { whatsapp: { template } }),
  };
}

/** Runtime events → Prometheus counters. */
function countEvents(
  events: ReturnType<typeof createSwitchboard>["events"],
  metrics: ReturnType<typeof createMetrics>,
): void {
  events.on("turn.completed", () => metrics.turn("ok"));
  events.on("turn.failed", () => metrics.turn("failed"));
  events.on("dead-letter", () => metrics.turn("dead"));
  events.on("handoff", (event) => {
    if (event.source !== "operator") metrics.turn("handoff");
  });
  events.on("reply.sent", () => metrics.send("sent"));
  events.on("reply.failed", () => metrics.send("failed"));
}

/**
 * The webhook route inside a `switchboard.webhook` span, counted by outcome from its status
 * (200 accepted, 403 forged, 400/413 malformed, else error) with its ingest latency.
 */
function observedWebhook(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
  webhookPath: string,
  metrics: ReturnType<typeof createMetrics>,
) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== webhookPath || request.method !== "POST") return handler(request, response);
    const started = performance.now();
    response.once("finish", () => {
      const status = response.statusCode;
      if (status === 200) {
        metrics.webhook("accepted");
        metrics.ingestLatency.observe((performance.now() - started) / 1000);
      } else if (status === 403) metrics.webhook("forged");
      else if (status === 400 || status === 413 || status === 415) metrics.webhook("malformed");
      else metrics.webhook("error");
    });
    return withSpan("switchboard.webhook", {}, async (span) => {
      await handler(request, response);
      span.setAttribute("http.response.status_code", response.statusCode);
    });
  };
}
