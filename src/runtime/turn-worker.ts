// Over 400 lines on purpose: one turn's life (claim, agent, shaping, complete or fail, fencing)
// reads top to bottom in one class; its rules live in the helpers it imports.
import { randomUUID } from "node:crypto";
import type { MediaLimits } from "../agents/media.js";
import { normalizeReply } from "../agents/normalize-reply.js";
import type { Agent, AgentContext, ConversationInfo, Reply } from "../agents/types.js";
import type { BusinessHours } from "../config/business-hours.js";
import { LeaseLostError } from "../mailbox/mailbox-errors.js";
import type { Lease, MailboxStore, OutboundReply } from "../mailbox/mailbox-store.js";
import { withSpan } from "../telemetry/with-span.js";
import { isWhatsAppWindowOpen } from "../twilio/channels/shape-for-channel.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { agentHistory } from "./agent-history.js";
import { announceHandoff } from "./announce-handoff.js";
import { answeredElsewhere } from "./answered-elsewhere.js";
import { backoffDelay } from "./backoff.js";
import type { ApprovedChoiceTemplate } from "./choice-templates.js";
import type { ConsentPolicy } from "./consent-policy.js";
import { memoryReadLimit, withCustomerMemory } from "./customer-memory.js";
import { describeError } from "./describe-error.js";
import { handbackOf } from "./handback-context.js";
import { consentAddressesOf, consentSilencesTurn } from "./inbound-consent.js";
import { isLeaseLoss, mailboxToolJournal } from "./mailbox-tool-journal.js";
import { readTurnContext } from "./read-turn-context.js";
import { shapeReply } from "./reply-shaping.js";
import type { RetryPolicy } from "./retry-policy.js";
import { channelContext, choicesContentFor, withTranscripts } from "./rich-reply.js";
import { type RichState, richState } from "./rich-state.js";
import { enrichTurn, lastOfferedChoices } from "./rich-turn.js";
import type { RuntimeProvider } from "./runtime-provider.js";
import { type SlowTurnSettings, startSlowTurnTimer } from "./slow-turn.js";
import type { SwitchboardEvents } from "./switchboard-events.js";
import { turnOf } from "./turn-of.js";
import type { WhatsAppTemplate } from "./whatsapp-window.js";
import { startWorkLoop, type WorkLoop, wakeBy } from "./work-loop.js";

/** Everything a turn worker needs, resolved. */
export interface TurnWorkerSettings {
  mailbox: MailboxStore;
  agent: Agent;
  /** Fetches inbound media and creates WhatsApp choices' Content templates. */
  provider: Pick<RuntimeProvider, "fetchMedia" | "createContent">;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  now: () => number;
  concurrency: number;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  /** Backoff of failed turns (`turn`); attempts are the mailbox's `maxAttempts`. */
  retryPolicy: RetryPolicy;
  historyLimit: number;
  /** Messages from the customer's other channels added to the history; 0: none. */
  customerHistoryLimit?: number;
  handoffKeywords: ReadonlySet<string>;
  handoffMessage: string;
  smsMarkers: boolean;
  whatsappTemplate: WhatsAppTemplate | undefined;
  /** Approved templates for choices outside the WhatsApp window. */
  choiceTemplates?: readonly ApprovedChoiceTemplate[];
  /** Consent keywords: a turn of an opted-out customer (or of keywords) gets no answer. */
  consent?: ConsentPolicy;
  mediaLimits: MediaLimits;
  smsMaxSegments: number | undefined;
  /** Undefined: always open. */
  businessHours: BusinessHours | undefined;
  afterHoursMessage: string;
  slowTurn: SlowTurnSettings;
}

/**
 * Moves turns from the mailbox through the agent into the outbox. Each claimed lease is one
 * conversation's next turn; up to `concurrency` run at once (never two of one conversation —
 * the mailbox's lease guarantees that). While the agent thinks, a heartbeat extends the lease;
 * if the lease is lost the agent's signal aborts and its answer is thrown away, because
 * `complete` is fenced and someone else now owns the turn.
 */
export class TurnWorker {
  readonly workerId = `turns-${randomUUID()}`;
  readonly #settings: TurnWorkerSettings;
  readonly #rich: RichState;
  readonly #running = new Map<
    string,
    { lease: Lease; controller: AbortController; done: Promise<void> }
  >();
  #loop: WorkLoop | undefined;
  #stopping = false;
  /**
   * The last claim was cut short by this worker's capacity (no free slot, or as many leases
   * as slots): more work may be waiting, so a finished turn claims again. Otherwise a claim
   * after a turn finds nothing: new work wakes the loop itself (ingest, complete and release
   * notices), and a retry comes due by polling.
   */
  #capacityBound = false;

  constructor(settings: TurnWorkerSettings) {
    this.#settings = settings;
    this.#rich = richState(settings.mailbox);
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = startWorkLoop({
      pollMs: this.#settings.pollMs,
      tick: () => this.#tick(),
      onError: (error) => this.#reportError("turn-claim", error),
    });
  }

  wake(): void {
    this.#loop?.wake();
  }

  /**
   * The mailbox says a newer customer message interrupted `conversationSid`'s running turn at
   * `leaseVersion` (policy `interrupt`; any process's ingest, through the work notices). That
   * lease was given back in the ingest's transaction, so the run holding it is aborted at once:
   * its agent's signal fires and its answer, if any, is discarded. The version keeps a late
   * notice from aborting the combined turn that replaced it.
   */
  interrupted(conversationSid: string, leaseVersion: number): void {
    for (const turn of this.#running.values()) {
      if (
        turn.lease.conversationSid === conversationSid &&
        turn.lease.leaseVersion === leaseVersion
      )
        turn.controller.abort(new TurnInterruptedSignal());
    }
  }

  /** Turns running now. */
  get active(): number {
    return this.#running.size;
  }

  /**
   * Stops claiming, waits up to `drainMs` for running turns, then aborts the rest and
   * releases their leases so another process takes them over at once.
   */
  async stop(drainMs: number): Promise<void> {
    this.#stopping = true;
    await this.#loop?.stop();
    this.#loop = undefined;
    const running = [...this.#running.values()];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs);
    });
    await Promise.race([Promise.all(running.map((turn) => turn.done)), timedOut]);
    clearTimeout(timer);
    for (const turn of this.#running.values()) turn.controller.abort(new ShutdownSignal());
    await Promise.all([...this.#running.values()].map((turn) => turn.done));
  }

  async #tick(): Promise<boolean> {
    const free = this.#settings.concurrency - this.#running.size;
    if (this.#stopping) return false;
    if (free <= 0) {
      this.#capacityBound = true;
      return false;
    }
    const leases = await this.#settings.mailbox.claim(this.workerId, free, this.#settings.leaseMs);
    this.#capacityBound = leases.length >= free;
    for (const lease of leases) {
      const controller = new AbortController();
      // Keyed by lease version too: this process may re-claim its own expired lease while the
      // older run is still unwinding, and that run's cleanup must not drop the newer entry.
      const key = `${lease.conversationSid}#${lease.leaseVersion}`;
      // The agent's span (and anything else the turn does) nests under this one.
      const done = withSpan(
        "switchboard.turn",
        {
          conversationSid: lease.conversationSid,
          ...(lease.conversation.channel === null ? {} : { channel: lease.conversation.channel }),
          attempt: lease.attempt,
          messageCount: lease.messages.length,
        },
        () => this.#runTurn(lease, controller),
      )
        .catch((error) => this.#reportError("turn", error))
        .finally(() => {
          this.#running.delete(key);
          if (this.#capacityBound) this.wake();
        });
      this.#running.set(key, { lease, controller, done });
    }
    return leases.length >= free;
  }

  async #runTurn(lease: Lease, controller: AbortController): Promise<void> {
    const { mailbox, logger } = this.#settings;
    const heartbeat = setInterval(() => {
      mailbox.heartbeat(lease).then(
        (alive) => {
          if (!alive)
            controller.abort(new LeaseLostError(lease.conversationSid, lease.leaseVersion));
        },
        (error) => this.#reportError("heartbeat", error),
      );
    }, this.#settings.heartbeatMs);
    this.#settings.events.emit("typing", { conversationSid: lease.conversationSid, on: true });
    const stopSlowTurnTimer = startSlowTurnTimer({
      mailbox,
      settings: this.#settings.slowTurn,
      channel: lease.conversation.channel ?? lease.messages[0]?.channel ?? "chat",
      conversationSid: lease.conversationSid,
      turnId: lease.turnId,
      onError: (error) => this.#reportError("slow-turn", error),
    });
    try {
      const outcome = await this.#answer(lease, controller.signal).finally(stopSlowTurnTimer);
      if (controller.signal.aborted) throw controller.signal.reason;
      const completed = await mailbox.complete(lease, outcome.replies, {
        handoff: outcome.handoff !== undefined,
      });
      this.#settings.events.emit("turn.completed", {
        conversationSid: lease.conversationSid,
        turnId: lease.turnId,
        replies: completed.replyIds.length,
      });
      if (outcome.handoff !== undefined) {
        this.#settings.events.emit("handoff", {
          conversationSid: lease.conversationSid,
          reason: outcome.handoff.reason,
          source: outcome.handoff.source,
        });
        await announceHandoff(this.#settings, {
          conversationSid: lease.conversationSid,
          ...outcome.handoff,
        });
      }
    } catch (error) {
      if (controller.signal.reason instanceof TurnInterruptedSignal) {
        // The ingest that interrupted gave the lease back, uncounted, so this release is
        // refused and writes nothing. Should the lease still be held (a forged notice), it
        // gives the turn back the same way, to be claimed again at once.
        if (await mailbox.release(lease)) {
          logger.warn(
            { conversationSid: lease.conversationSid, turnId: lease.turnId },
            "interrupt notice for a lease still held; the turn was given back",
          );
          return;
        }
        logger.info(
          { conversationSid: lease.conversationSid, turnId: lease.turnId },
          "turn interrupted by a newer customer message; answering them together",
        );
        this.#settings.events.emit("turn.interrupted", {
          conversationSid: lease.conversationSid,
          turnId: lease.turnId,
        });
        return;
      }
      if (isLeaseLoss(error) || controller.signal.reason instanceof LeaseLostError) {
        // Another worker (or a handoff) owns the turn now; its outcome is theirs to write.
        logger.warn(
          { conversationSid: lease.conversationSid, turnId: lease.turnId },
          "turn abandoned: lease lost",
        );
        return;
      }
      await this.#fail(lease, error, controller.signal.reason instanceof ShutdownSignal);
    } finally {
      clearInterval(heartbeat);
      this.#settings.events.emit("typing", { conversationSid: lease.conversationSid, on: false });
    }
  }

  async #answer(
    lease: Lease,
    signal: AbortSignal,
  ): Promise<{
    replies: OutboundReply[];
    handoff?: { reason: string; source: "agent" | "keyword"; summary?: string };
  }> {
    const settings = this.#settings;
    const rich = this.#rich;
    const conversation = lease.conversation;
    const channel = conversation.channel ?? turnOf(lease).channel;
    const shaping = {
      channel,
      lastInboundAt: conversation.lastInboundAt,
      now: settings.now(),
      smsMarkers: settings.smsMarkers,
      whatsappTemplate: settings.whatsappTemplate,
      choiceTemplates: settings.choiceTemplates,
      smsMaxSegments: settings.smsMaxSegments,
    };

    // Everything the turn reads before the agent, in one call (one round trip on PostgreSQL):
    // history, customer and their other channels, handoff note, the messages' consent.
    const memoryLimit = settings.customerHistoryLimit ?? 0;
    const read = await readTurnContext(settings.mailbox, lease.conversationSid, {
      historyLimit: Math.min(500, settings.historyLimit + lease.messages.length + 20),
      customerHistoryLimit: memoryReadLimit(memoryLimit),
      consentAddresses: settings.consent === undefined ? [] : consentAddressesOf(lease.messages),
    });

    // An opted-out customer's messages stay in history unanswered; the turn completes empty.
    if (
      settings.consent !== undefined &&
      (await consentSilencesTurn(
        lease.messages,
        { ...settings, policy: settings.consent },
        read.consent,
      ))
    )
      return { replies: [] };

    // Twilio shows a switchboard reply after these messages that this mailbox never queued:
    // answered already (another switchboard on this service, or this mailbox restored from
    // an older copy). Answering again would send the customer a second answer.
    const foreignReply = answeredElsewhere(lease.messages, read.history);
    if (foreignReply !== undefined) {
      settings.logger.warn(
        { conversationSid: lease.conversationSid, replyId: foreignReply },
        "turn already answered by a reply this mailbox never sent (another switchboard on this Twilio service, or a mailbox restored from an older copy); not answering again",
      );
      return { replies: [] };
    }

    const keyword = lease.messages.some((message) =>
      settings.handoffKeywords.has((message.body ?? "").trim().toLowerCase()),
    );
    // Outside business hours a handoff says when a person will reply instead of "shortly".
    const closedText = this.#afterHoursText();
    if (keyword) {
      const shaped = shapeReply({ text: closedText ?? settings.handoffMessage }, shaping);
      return { replies: shaped.replies, handoff: { reason: "keyword", source: "keyword" } };
    }

    const entries = read.history;
    const turn = await enrichTurn(turnOf(lease), {
      provider: settings.provider,
      state: rich,
      mediaLimits: settings.mediaLimits,
      signal,
      offered: lastOfferedChoices(entries),
    });
    // The same person on their other channels: the answer continues their story.
    const customer = read.customer;
    const history = await withTranscripts(
      await withCustomerMemory(
        agentHistory(
          entries,
          new Set(lease.messages.map((message) => message.messageSid)),
          settings.historyLimit,
        ),
        {
          mailbox: settings.mailbox,
          customer,
          conversationSid: lease.conversationSid,
          limit: memoryLimit,
          lines: read.customerHistory,
        },
      ),
      rich,
    );
    const info: ConversationInfo = {
      sid: lease.conversationSid,
      channel,
      customer: conversation.customerAddress ?? turn.author,
    };
    if (customer !== null) info.customerId = customer.customerId;
    if (conversation.lastInboundAt !== null)
      info.lastInboundAt = new Date(conversation.lastInboundAt);

    // A fresh context per attempt (durableStep counts steps per context object); the turn id
    // and the journal are the same on every attempt, so journaled steps replay.
    const context: AgentContext = {
      history,
      conversation: info,
      signal,
      turnId: lease.turnId,
      journal: mailboxToolJournal(settings.mailbox, lease),
      channel: channelContext(channel, settings.smsMaxSegments),
    };
    const handback = handbackOf(read.handoffNote, entries);
    if (handback !== undefined) context.handback = handback;
    let reply: Reply = normalizeReply(
      await abortable(settings.agent.respond(turn, context), signal),
    );
    if ("handoff" in reply && closedText !== undefined) reply = { ...reply, text: closedText };
    if (reply.transcripts !== undefined && reply.transcripts.length > 0)
      await rich.saveTranscripts(reply.transcripts);
    const choices = "choices" in reply ? reply.choices : undefined;
    const now = settings.now();
    const choicesContentSid =
      choices === undefined || channel !== "whatsapp"
        ? undefined
        : await choicesContentFor(choices, {
            provider: settings.provider,
            state: rich,
            windowOpen: isWhatsAppWindowOpen(conversation.lastInboundAt, now),
            logger: settings.logger,
            conversationSid: lease.conversationSid,
          });
    const shaped = shapeReply(reply, { ...shaping, now, choicesContentSid });
    if (shaped.usedTemplate)
      settings.events.emit("whatsapp.template", {
        conversationSid: lease.conversationSid,
        reason: "window-closed",
      });
    if (shaped.handoffReason === undefined) return { replies: shaped.replies };
    const given = "handoff" in reply ? reply.handoff.summary : undefined;
    return {
      replies: shaped.replies,
      handoff: {
        reason: shaped.handoffReason,
        source: "agent",
        ...(given === undefined ? {} : { summary: given }),
      },
    };
  }

  async #fail(lease: Lease, error: unknown, shutdown: boolean): Promise<void> {
    const settings = this.#settings;
    // A release at shutdown is no failure: the turn is claimable at once and the attempt is
    // not counted, so a deploy during a turn's last attempt does not dead-letter it.
    if (shutdown) {
      await settings.mailbox.release(lease);
      return;
    }
    const reason = shutdown ? "released at shutdown" : describeError(error);
    // A release at shutdown is due at once: the turn did nothing wrong.
    const retryAt = shutdown
      ? settings.now()
      : settings.now() +
        backoffDelay(
          lease.attempt,
          settings.retryPolicy.turn.baseMs,
          settings.retryPolicy.turn.capMs,
        );
    let outcome: "backoff" | "dead";
    try {
      outcome = await settings.mailbox.fail(lease, reason, retryAt);
    } catch (failError) {
      if (failError instanceof LeaseLostError) return;
      throw failError;
    }
    if (outcome === "dead") {
      settings.logger.error(
        { conversationSid: lease.conversationSid, turnId: lease.turnId, reason },
        "turn dead-lettered",
      );
      settings.events.emit("dead-letter", {
        conversationSid: lease.conversationSid,
        turnId: lease.turnId,
        reason,
      });
    } else if (!shutdown) {
      wakeBy(() => this.wake(), retryAt, this.#settings);
      settings.logger.warn(
        { conversationSid: lease.conversationSid, attempt: lease.attempt, reason },
        "turn failed; will retry",
      );
      settings.events.emit("turn.failed", {
        conversationSid: lease.conversationSid,
        turnId: lease.turnId,
        error: reason,
        retryAt,
      });
    }
  }

  /** The after-hours text when the business is closed now; undefined when open (or no hours). */
  #afterHoursText(): string | undefined {
    const hours = this.#settings.businessHours;
    if (hours === undefined) return undefined;
    const now = new Date(this.#settings.now());
    if (hours.isOpen(now)) return undefined;
    return this.#settings.afterHoursMessage.replaceAll("{when}", hours.describeNextOpening(now));
  }

  #reportError(where: string, error: unknown): void {
    this.#settings.logger.error({ err: error, where }, "turn worker error");
    this.#settings.events.emit("error", { where, error });
  }
}

/** The abort reason when `close()` takes a running turn back. */
class ShutdownSignal extends Error {
  constructor() {
    super("switchboard is shutting down");
  }
}

/** The abort reason when a newer customer message interrupted the turn (policy `interrupt`). */
class TurnInterruptedSignal extends Error {
  constructor() {
    super("a newer customer message interrupted the turn");
  }
}

/** An agent that ignores its signal still loses the race: its late answer is discarded. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
