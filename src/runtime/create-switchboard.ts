import { randomUUID } from "node:crypto";
import { ConfigError } from "../errors.js";
import {
  createHttpHandler,
  listenHttp,
  type NodeHandler,
  type RunningServer,
} from "../http/server.js";
import { createWebhookRoute } from "../http/webhook-route.js";
import type { DeadLetter, MailboxStore, TurnPolicy } from "../mailbox/mailbox-store.js";
import type { WebhookEvent } from "../twilio/webhook/event-types.js";
import { type CatchUpResult, catchUp, catchUpLockName } from "./catch-up.js";
import { createLiveFanOut, type LiveEventSource } from "./live-events.js";
import { OutboxSender } from "./outbox-sender.js";
import { ProxyAddresses } from "./proxy-addresses.js";
import { receiveEvent } from "./receive-event.js";
import { resolveOptions } from "./resolve-options.js";
import { type SwitchboardEventSource, SwitchboardEvents } from "./switchboard-events.js";
import type { SwitchboardOptions } from "./switchboard-options.js";
import { TurnWorker } from "./turn-worker.js";

/** A running (or ready) switchboard. */
export interface Switchboard {
  /** Starts workers (after a first catch-up) and serves the webhook and `/healthz`. */
  listen(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /**
   * The HTTP surface as a Node request listener (`POST` webhook path, `GET /healthz`), to
   * mount in your own server. Call `start()` for the workers.
   */
  readonly handler: NodeHandler;
  /** Hands a verified webhook event to the runtime (for your own framework's route). */
  receive(event: WebhookEvent): Promise<void>;
  /** Catches up on missed messages, then starts the turn workers and the sender. */
  start(): Promise<void>;
  /** Stops taking work, drains (or releases) running turns, stops the server, closes the mailbox. */
  close(): Promise<void>;
  /** `handoff`, `dead-letter`, `reply.sent`, `reply.failed`, `whatsapp.template`, … */
  readonly events: SwitchboardEventSource;
  /**
   * The live events (typing, replies, handoffs, …) of every instance sharing the mailbox —
   * with PostgreSQL, a web chat stream held here sees replies another instance sent; with
   * SQLite, this instance's own. For screens; `events` is for this instance's logic.
   */
  readonly live: LiveEventSource;
  /** A random id of this running switchboard, as it appears in live events' `instance`. */
  readonly instanceId: string;
  readonly mailbox: MailboxStore;
  /** Fetches and ingests missed messages now (also runs on start and periodically). */
  catchUp(): Promise<CatchUpResult>;
  /** An operator takes the conversation: auto-replies stop until {@link release}. */
  handoff(conversationSid: string, reason?: string): Promise<void>;
  /** Gives the conversation back to the agent. */
  release(conversationSid: string): Promise<void>;
  setPolicy(conversationSid: string, policy: TurnPolicy): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  retryDeadLetter(conversationSid: string): Promise<boolean>;
  skipDeadLetter(conversationSid: string): Promise<boolean>;
}

/**
 * The durable agent runtime: webhooks are verified, parsed and ingested into the mailbox
 * (200 once durable — the agent never runs inside the request); workers lease one turn per
 * conversation, ask the agent with bounded history, shape the reply for the channel and
 * complete the turn together with its replies in the outbox; the sender delivers the
 * outbox in order with the reply id in the attributes; catch-up fetches what arrived while
 * the service was down.
 *
 * ```ts
 * const switchboard = createSwitchboard({
 *   provider,
 *   agent: functionAgent(async (turn) => `You said: ${turn.text}`),
 *   mailbox: sqliteMailbox({ path: ".switchboard/mailbox.db" }),
 * });
 * await switchboard.listen({ port: 3000 });   // POST /twilio/webhook
 * await switchboard.close();
 * ```
 */
export function createSwitchboard(options: SwitchboardOptions): Switchboard {
  const settings = resolveOptions(options);
  const { provider, mailbox, logger, now, identities, whatsappTemplate, webhook } = settings;
  const events = new SwitchboardEvents();
  const instanceId = randomUUID();
  const live = createLiveFanOut({ mailbox, events, instance: instanceId, logger });
  const turnWorker = new TurnWorker({
    ...settings.turns,
    mailbox,
    agent: settings.agent,
    events,
    logger,
    now,
    whatsappTemplate,
  });
  const sender = new OutboxSender({
    ...settings.sends,
    mailbox,
    provider,
    events,
    logger,
    now,
    botAuthor: identities.botAuthor,
  });
  const proxies = new ProxyAddresses({ provider, logger });
  const catchUpSettings = {
    mailbox,
    provider,
    events,
    logger,
    identities,
    now,
    proxies,
    maxMessagesPerConversation: settings.catchUp.maxMessagesPerConversation,
    idleHorizonMs: settings.catchUp.idleHorizonMs,
    tailWindow: settings.catchUp.tailWindow,
  };
  const catchUpIntervalMs = settings.catchUp.intervalMs;

  let state: "idle" | "starting" | "running" | "closing" | "closed" = "idle";
  let starting: Promise<void> | undefined;
  let server: RunningServer | undefined;
  let catchUpTimer: NodeJS.Timeout | undefined;
  let catchUpRunning: Promise<CatchUpResult> | undefined;
  let unsubscribe: (() => void) | undefined;

  const receive = (event: WebhookEvent) =>
    receiveEvent(event, {
      mailbox,
      provider,
      events,
      logger,
      identities,
      now,
      whatsappTemplate,
      proxies,
    });

  const catchUpOnce = async (): Promise<CatchUpResult> => {
    if (mailbox.withLock === undefined) return catchUp(catchUpSettings);
    // Instances sharing the mailbox take turns: one lists Twilio, the others skip the round.
    const outcome = await mailbox.withLock(catchUpLockName, () => catchUp(catchUpSettings));
    return outcome.acquired ? outcome.value : { conversations: 0, ingested: 0, ranElsewhere: true };
  };

  const runCatchUp = () => {
    // One run at a time: the periodic timer and an explicit call share it.
    catchUpRunning ??= catchUpOnce().finally(() => {
      catchUpRunning = undefined;
    });
    return catchUpRunning;
  };

  const handler = createHttpHandler({
    webhookPath: webhook.path,
    webhook: createWebhookRoute({
      authToken: webhook.authToken,
      url: webhook.url,
      verify: webhook.verify,
      trustProxy: webhook.trustProxy,
      logger,
      onEvent: receive,
    }),
    health: () => ({
      ok: state === "running" || state === "starting",
      state,
      turnsRunning: turnWorker.active,
    }),
  });

  const start = () => {
    if (state === "closing" || state === "closed")
      return Promise.reject(
        new ConfigError("start", "This switchboard was closed; create a new one."),
      );
    starting ??= (async () => {
      state = "starting";
      // An unreachable database, wrong credentials or service fail here, with the store's
      // or the provider's actionable message.
      try {
        await mailbox.start?.();
        await provider.start?.();
      } catch (error) {
        state = "idle";
        starting = undefined;
        throw error;
      }
      // Catch up before any worker runs, so a turn never starts ahead of a message that
      // arrived (and was lost) while the service was down.
      try {
        await runCatchUp();
      } catch (error) {
        logger.error({ err: error }, "catch-up on start failed; continuing with webhooks");
        events.emit("error", { where: "catch-up", error });
      }
      unsubscribe = mailbox.onWork((notice) => {
        if (notice.kind === "turn") turnWorker.wake();
        else sender.wake();
      });
      turnWorker.start();
      sender.start();
      if (catchUpIntervalMs > 0) {
        catchUpTimer = setInterval(() => {
          runCatchUp().catch((error) => {
            logger.warn({ err: error }, "periodic catch-up failed");
            events.emit("error", { where: "catch-up", error });
          });
        }, catchUpIntervalMs);
        catchUpTimer.unref();
      }
      state = "running";
    })();
    return starting;
  };

  return {
    handler,
    events,
    live,
    instanceId,
    mailbox,
    receive,
    start,
    async listen(listenOptions = {}) {
      if (server !== undefined) return { url: server.url, port: server.port };
      // Serve first: webhooks are accepted (durably) while catch-up runs.
      const running = await listenHttp(handler, listenOptions);
      server = running;
      try {
        await start();
      } catch (error) {
        server = undefined;
        await running.close();
        throw error;
      }
      return { url: running.url, port: running.port };
    },
    async close() {
      if (state === "closed") return;
      state = "closing";
      clearInterval(catchUpTimer);
      await starting?.catch(() => {});
      unsubscribe?.();
      // Stop accepting webhooks first: Twilio retries them elsewhere or later.
      await server?.close();
      await turnWorker.stop(settings.drainMs);
      await sender.stop();
      await catchUpRunning?.catch(() => {});
      await live.close();
      await mailbox.close();
      state = "closed";
    },
    catchUp: runCatchUp,
    async handoff(conversationSid, reason = "operator") {
      await mailbox.setHandoff(conversationSid, true);
      events.emit("handoff", { conversationSid, reason, source: "operator" });
    },
    async release(conversationSid) {
      await mailbox.setHandoff(conversationSid, false);
      events.emit("handoff.released", { conversationSid });
      turnWorker.wake();
    },
    setPolicy: (conversationSid, policy) => mailbox.setPolicy(conversationSid, policy),
    deadLetters: () => mailbox.deadLetters(),
    async retryDeadLetter(conversationSid) {
      const retried = await mailbox.retryDeadLetter(conversationSid);
      turnWorker.wake();
      return retried;
    },
    async skipDeadLetter(conversationSid) {
      const skipped = await mailbox.skipDeadLetter(conversationSid);
      turnWorker.wake();
      return skipped;
    },
  };
}
