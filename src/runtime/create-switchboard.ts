// Over 400 lines on purpose: the one place the runtime's parts (workers, sender, catch-up beside
// them, gap fetches, heartbeats, timers) are wired together and shut down in order.
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
import { type CatchUpResult, type CatchUpScope, catchUp, catchUpLockName } from "./catch-up.js";
import { CatchUpBudget } from "./catch-up-budget.js";
import { releaseCustomer } from "./customer-handoff.js";
import { createDeliveryCatchUp, type DeliveryCatchUpResult } from "./delivery-catch-up.js";
import { markConversationGone } from "./gone-conversations.js";
import { handBackUnanswered } from "./hand-back.js";
import { IndexGaps } from "./index-gaps.js";
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

/** The meta key every running instance writes `now` to every `aliveEveryMs`: the outage clock. */
export const aliveAtMetaKey = "catchUp.aliveAt";
const aliveEveryMs = 15_000;
/** Before an outage, conversations active this long before it are listed first. */
const outageLookbackMs = 24 * 60 * 60_000;
/** A periodic run looks back past the previous run's start by this much. */
const periodicOverlapMs = 60_000;
/**
 * How long a webhook waits for its Index gap's listing (and the ingest of what it found)
 * before storing its message anyway: inside the webhook timeouts (Twilio's 15 s, the
 * emulator's 5 s), so waiting never turns into Twilio's retries piling on a slow host; past
 * it, the settle window holds the turn.
 */
const gapWaitMs = 4_000;

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
  /**
   * Starts the turn workers and the sender at once; catch-up of what was missed while the
   * service was down runs beside them in the background, within its REST budget.
   */
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
  /**
   * Fetches and ingests missed messages now, listing every conversation active within the
   * idle horizon (most recent first, within the REST budget). Also runs in the background on
   * start (the known outage's window) and periodically (conversations active since the
   * previous run).
   */
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
  // Aborted on close: a catch-up waiting for its budget stops instead of holding close.
  const closing = new AbortController();
  const budget = new CatchUpBudget({
    requestsPerSecond: settings.catchUp.requestsPerSecond,
    sendsBusy: () => sender.active > 0,
  });
  const gaps = new IndexGaps({
    mailbox,
    provider,
    events,
    logger,
    identities,
    now,
    budget,
    maxMessages: settings.catchUp.maxMessagesPerConversation,
    waitMs: gapWaitMs,
    signal: closing.signal,
    customers: settings.customers,
  });
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
    maxConversationsPerRun: settings.catchUp.maxConversationsPerRun,
    budget,
    signal: closing.signal,
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
  let aliveTimer: NodeJS.Timeout | undefined;
  /** When this process's last catch-up run started: the next periodic run looks back to it. */
  let lastRunStartedAt: number | undefined;
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
      gaps,
    });

  const catchUpOnce = async (scope: CatchUpScope): Promise<CatchUpResult> => {
    lastRunStartedAt = now();
    if (mailbox.withLock === undefined) return catchUp(catchUpSettings, scope);
    // Instances sharing the mailbox take turns: one lists Twilio, the others skip the round.
    const outcome = await mailbox.withLock(catchUpLockName, () => catchUp(catchUpSettings, scope));
    return outcome.acquired ? outcome.value : { conversations: 0, ingested: 0, ranElsewhere: true };
  };

  const runCatchUp = (scope: CatchUpScope = {}) => {
    // One run at a time: the periodic timer, the start run and an explicit call share it.
    catchUpRunning ??= catchUpOnce(scope).finally(() => {
      catchUpRunning = undefined;
    });
    return catchUpRunning;
  };

  /** A background run: its failure is logged, never thrown (webhooks carry on regardless). */
  const runInBackground = (scope: CatchUpScope, what: string) => {
    runCatchUp(scope).catch((error) => {
      if (closing.signal.aborted) return;
      logger.warn({ err: error }, `${what} failed; continuing with webhooks`);
      events.emit("error", { where: "catch-up", error });
    });
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
      // The outage this start ends: from the last "alive at" any instance sharing the
      // mailbox recorded (none within two heartbeats: every instance was down) to now.
      const startedAt = now();
      const aliveAt = Number((await mailbox.getMeta(aliveAtMetaKey).catch(() => null)) ?? NaN);
      const outageFrom =
        Number.isFinite(aliveAt) && startedAt - aliveAt > 2 * aliveEveryMs ? aliveAt : undefined;
      const markAlive = () =>
        mailbox.setMeta(aliveAtMetaKey, String(now())).catch((error) => {
          logger.warn({ err: error }, "could not record the alive-at heartbeat");
        });
      await markAlive();
      aliveTimer = setInterval(markAlive, aliveEveryMs);
      aliveTimer.unref();
      unsubscribe = mailbox.onWork((notice) => {
        if (notice.kind === "outbox") sender.wake();
        else turnWorker.wake();
        if (notice.kind === "interrupt" && notice.leaseVersion !== undefined)
          turnWorker.interrupted(notice.conversationSid, notice.leaseVersion);
      });
      // Workers first: the mailbox orders each conversation's turns by Index, so a message
      // catch-up finds later still goes in order (or, past the settle window, marked late).
      turnWorker.start();
      sender.start();
      // Catch-up beside them: the conversations active in the day before the outage (where
      // missed messages are likely), most recent first; a quiet conversation's missing
      // messages are fetched when its next webhook shows the Index gap.
      runInBackground(
        outageFrom === undefined ? {} : { activeSince: outageFrom - outageLookbackMs },
        "catch-up on start",
      );
      if (catchUpIntervalMs > 0) {
        catchUpTimer = setInterval(() => {
          // Conversations active since the previous run (a little overlap for clock skew).
          const since = (lastRunStartedAt ?? now() - catchUpIntervalMs) - periodicOverlapMs;
          runInBackground({ activeSince: since }, "periodic catch-up");
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
      clearInterval(aliveTimer);
      closing.abort(new Error("The switchboard is closing."));
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
    catchUp: () => runCatchUp(),
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
