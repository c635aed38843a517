import { randomUUID } from "node:crypto";
import { ConfigError } from "../errors.js";
import type {
  ConsentRecord,
  ConsentState,
  DeadLetter,
  MailboxStore,
  TurnPolicy,
} from "../mailbox/mailbox-store.js";
import type { WebhookEvent } from "../twilio/webhook/event-types.js";
import { announceHandoff } from "./announce-handoff.js";
import { type CatchUpResult, catchUp, catchUpLockName } from "./catch-up.js";
import { releaseCustomer } from "./customer-handoff.js";
import { createDeliveryCatchUp, type DeliveryCatchUpResult } from "./delivery-catch-up.js";
import { markConversationGone } from "./gone-conversations.js";
import { handBackUnanswered } from "./hand-back.js";
import { createLiveFanOut, type LiveEventSource } from "./live-events.js";
import { OutboxSender } from "./outbox-sender.js";
import { ProxyAddresses } from "./proxy-addresses.js";
import { receiveEvent } from "./receive-event.js";
import { resolveOptions } from "./resolve-options.js";
import { resolveWebhook, type SwitchboardWebhook } from "./resolve-webhook.js";
import { type SwitchboardCustomers, switchboardCustomers } from "./switchboard-customers.js";
import { type SwitchboardEventSource, SwitchboardEvents } from "./switchboard-events.js";
import type { SwitchboardOptions } from "./switchboard-options.js";
import { TurnWorker } from "./turn-worker.js";

/** What `GET /healthz` reports: the process is up and taking webhooks. */
export interface SwitchboardHealth {
  /** False while closing or closed (answer 503). */
  ok: boolean;
  state: "idle" | "starting" | "running" | "closing" | "closed";
  /** Turns the agent is working on right now. */
  turnsRunning: number;
  /** `[key: string]: unknown` so the report is a JSON object as it stands. */
  [key: string]: unknown;
}

/**
 * A running (or ready) switchboard. It knows no HTTP: `serveSwitchboard` (or
 * `createSwitchboardHandler` in your own server) mounts `webhook` and `health` on a route.
 */
export interface Switchboard {
  /**
   * How webhooks are verified and where they are routed, resolved at construction — what an
   * HTTP layer needs: `createNodeWebhookHandler({ ...switchboard.webhook, onEvent:
   * switchboard.receive })`. Holds the Auth Token: never log it.
   */
  readonly webhook: SwitchboardWebhook;
  /** Hands a verified webhook event to the runtime; resolves once it is durable (answer 200). */
  receive(event: WebhookEvent): Promise<void>;
  /** The body of `/healthz`: up unless closing or closed. */
  health(): SwitchboardHealth;
  /** Catches up on missed messages, then starts the turn workers and the sender. */
  start(): Promise<void>;
  /**
   * Stops taking work, drains (or releases) running turns, closes the mailbox. Close the
   * HTTP server first (`serveSwitchboard`'s `close()` does), so Twilio retries webhooks
   * elsewhere or later instead of meeting a closed mailbox.
   */
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
  /**
   * One customer across channels: link or unlink addresses from the application (e.g. its
   * own login), read a customer's conversations and history, erase a customer in one call.
   */
  readonly customers: SwitchboardCustomers;
  /** Fetches and ingests missed messages now (also runs on start and periodically). */
  catchUp(): Promise<CatchUpResult>;
  /**
   * Lists the receipts of recently sent replies whose status never settled through the
   * webhook (bounded; see `createDeliveryCatchUp`). Also runs with the periodic catch-up.
   */
  catchUpDeliveries(): Promise<DeliveryCatchUpResult>;
  /**
   * An operator takes the conversation: auto-replies stop until {@link release}. Resolves
   * once the handoff's summary is kept (see the `handoff.summary` event).
   */
  handoff(conversationSid: string, reason?: string): Promise<void>;
  /**
   * Gives the conversation back to the agent — and the customer's other conversations that
   * were held with it (a person who took the customer on one channel held them all).
   */
  release(conversationSid: string): Promise<void>;
  setPolicy(conversationSid: string, policy: TurnPolicy): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  retryDeadLetter(conversationSid: string): Promise<boolean>;
  skipDeadLetter(conversationSid: string): Promise<boolean>;
  /**
   * Records that Twilio no longer has the conversation (`cause`: the 404 error it answered,
   * or a reason): the mailbox marks it gone once, and that first time one warn line is logged
   * and `conversation.gone` emitted. Catch-up then skips it and the console refuses replies in
   * it. The runtime calls this itself on a 404 (catch-up, sends); faces call it when they
   * meet one. Resolves true for the call that made the mark; never rejects.
   */
  markGone(conversationSid: string, cause: unknown): Promise<boolean>;
  /**
   * An operator opts a customer address out or back in (`detail`: who, or why). Opted out,
   * the agent never answers it and nothing is sent to it; opted in restores both.
   */
  setConsent(
    address: string,
    state: ConsentState,
    options?: { detail?: string; conversationSid?: string },
  ): Promise<ConsentRecord>;
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
 * const server = await serveSwitchboard(switchboard, { port: 3000 }); // POST /twilio/webhook
 * await server.close(); // stops taking webhooks, then closes the switchboard
 * ```
 */
export function createSwitchboard(options: SwitchboardOptions): Switchboard {
  const settings = resolveOptions(options);
  const { provider, mailbox, logger, now, identities, whatsappTemplate } = settings;
  const webhook = resolveWebhook(settings.webhook, provider, logger);
  const events = new SwitchboardEvents();
  const instanceId = randomUUID();
  const live = createLiveFanOut({ mailbox, events, instance: instanceId, logger });
  const turnWorker = new TurnWorker({
    ...settings.turns,
    mailbox,
    agent: settings.agent,
    provider,
    events,
    logger,
    now,
    whatsappTemplate,
    choiceTemplates: settings.choiceTemplates,
    consent: settings.consent,
    customerHistoryLimit: settings.customers.historyLimit,
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
    customers: settings.customers,
  };
  const catchUpIntervalMs = settings.catchUp.intervalMs;
  const deliveryCatchUp = createDeliveryCatchUp({ mailbox, provider, events, logger, now });
  events.on("reply.sent", (event) =>
    deliveryCatchUp.track(event.conversationSid, event.messageSid),
  );
  let deliveryTimer: NodeJS.Timeout | undefined;
  let deliveryRunning: Promise<DeliveryCatchUpResult> | undefined;
  const runDeliveryCatchUp = () => {
    deliveryRunning ??= deliveryCatchUp.run().finally(() => {
      deliveryRunning = undefined;
    });
    return deliveryRunning;
  };

  let state: "idle" | "starting" | "running" | "closing" | "closed" = "idle";
  let starting: Promise<void> | undefined;
  let catchUpTimer: NodeJS.Timeout | undefined;
  let handBackTimer: NodeJS.Timeout | undefined;
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
      choiceTemplates: settings.choiceTemplates,
      proxies,
      consent: settings.consent,
      customers: settings.customers,
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

  const health = (): SwitchboardHealth => ({
    ok: state === "running" || state === "starting",
    state,
    turnsRunning: turnWorker.active,
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
        if (notice.kind === "outbox") sender.wake();
        else turnWorker.wake();
        if (notice.kind === "interrupt" && notice.leaseVersion !== undefined)
          turnWorker.interrupted(notice.conversationSid, notice.leaseVersion);
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
        // Receipts whose webhook was missed, on the same period (its own timer: it must not
        // wait for, or delay, the message catch-up).
        deliveryTimer = setInterval(() => {
          runDeliveryCatchUp().catch((error) => {
            logger.warn({ err: error }, "delivery receipt catch-up failed");
            events.emit("error", { where: "delivery-catch-up", error });
          });
        }, catchUpIntervalMs);
        deliveryTimer.unref();
      }
      const handBack = settings.handBack;
      if (handBack !== undefined) {
        // Checked a few times per timeout, at most every 30 s.
        handBackTimer = setInterval(
          () => {
            handBackUnanswered({
              mailbox,
              events,
              logger,
              now,
              businessHours: settings.turns.businessHours,
              handBack,
            }).then(
              (released) => {
                if (released.length > 0) turnWorker.wake();
              },
              (error) => {
                logger.warn({ err: error }, "hand-back check failed");
                events.emit("error", { where: "hand-back", error });
              },
            );
          },
          Math.max(20, Math.min(30_000, Math.floor(handBack.afterMs / 4))),
        );
        handBackTimer.unref();
      }
      state = "running";
    })();
    return starting;
  };

  return {
    webhook,
    health,
    events,
    live,
    instanceId,
    mailbox,
    customers: switchboardCustomers(mailbox),
    receive,
    start,
    async close() {
      if (state === "closed") return;
      state = "closing";
      clearInterval(catchUpTimer);
      clearInterval(deliveryTimer);
      clearInterval(handBackTimer);
      await starting?.catch(() => {});
      unsubscribe?.();
      await turnWorker.stop(settings.drainMs);
      await sender.stop();
      await catchUpRunning?.catch(() => {});
      await deliveryRunning?.catch(() => {});
      await live.close();
      await mailbox.close();
      state = "closed";
    },
    catchUp: runCatchUp,
    catchUpDeliveries: runDeliveryCatchUp,
    async handoff(conversationSid, reason = "operator") {
      await mailbox.setHandoff(conversationSid, true);
      events.emit("handoff", { conversationSid, reason, source: "operator" });
      await announceHandoff(
        {
          mailbox,
          agent: settings.agent,
          events,
          logger,
          historyLimit: settings.turns.historyLimit,
        },
        { conversationSid, reason, source: "operator" },
      );
    },
    async release(conversationSid) {
      await mailbox.setHandoff(conversationSid, false);
      await mailbox.noteHandoffReleased(conversationSid, "operator");
      events.emit("handoff.released", { conversationSid });
      for (const other of await releaseCustomer(mailbox, conversationSid, "operator"))
        events.emit("handoff.released", { conversationSid: other });
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
    markGone: (conversationSid, cause) =>
      markConversationGone({ mailbox, events, logger }, conversationSid, cause),
    async setConsent(address, state, options = {}) {
      const record = await mailbox.setConsent({
        address,
        state,
        reason: "operator",
        detail: options.detail ?? null,
      });
      events.emit("consent.changed", {
        address,
        conversationSid: options.conversationSid ?? null,
        state,
        reason: "operator",
      });
      return record;
    },
  };
}
