import { randomUUID } from "node:crypto";
import type { MailboxStore, OutboxItem, OutboxResult } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { backoffDelay } from "./backoff.js";
import {
  classifySendFailure,
  isFinalSendFailure,
  type SendFailure,
} from "./classify-send-failure.js";
import { rememberClosedConversations } from "./closed-conversations.js";
import { describeError } from "./describe-error.js";
import { isConversationGoneError, markConversationGone } from "./gone-conversations.js";
import { consentRefusal } from "./outbound-consent.js";
import { replyIdAttribute, replyIdOf } from "./reply-attributes.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { RuntimeOutgoingMessage, RuntimeProvider } from "./runtime-provider.js";
import type { SmsSegmentCount, SwitchboardEvents } from "./switchboard-events.js";
import { startWorkLoop, type WorkLoop, wakeBy } from "./work-loop.js";

/** Everything the sender needs, resolved. */
export interface OutboxSenderSettings {
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  now: () => number;
  botAuthor: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /**
   * Backoff, attempts and reconcile delay of sends (`send`). The reconcile delay is the least
   * wait after an ambiguous send before the reply is looked up: a POST Twilio is still
   * processing may not be in the listing yet, and resending then would duplicate it.
   */
  retryPolicy: RetryPolicy;
  /**
   * The bound of one send at the provider (`RuntimeOutgoingMessage.timeoutMs`), pacer waits
   * and retries included. Default {@link defaultSendAttemptMs}.
   */
  sendAttemptMs?: number;
}

/**
 * How long one send may take at the provider. Twilio answers a create well within a second;
 * this leaves room for pacing and a retry while keeping recovery after a crash in seconds:
 * another instance looks for a lapsed owner's reply only once the owner's request is over.
 * What this cannot cover: a request Twilio itself holds past the bound plus the landing margin
 * before creating the message, while its sender is frozen (so cannot cut it off) — only an
 * idempotency key at Twilio could, and Conversations has none.
 */
export const defaultSendAttemptMs = 5_000;
/**
 * Added to the send bound in the mailbox: a request cut off at its timeout may still be
 * finishing at Twilio, so the reply is looked up a little later.
 */
export const sendLandingMarginMs = 1_000;

/** How far back to look for a reply that may already have been sent. */
const reconcileDepth = 100;

/**
 * Sends the outbox through the provider, in order per conversation (the mailbox hands out a
 * conversation's next reply only once the previous one is settled), many conversations at
 * once. Every message carries its reply id in the attributes. A reply whose earlier attempt
 * may have reached Twilio (an ambiguous failure, or a sender that crashed mid-send) is
 * looked up among the conversation's recent messages first and only sent if absent — so
 * each reply reaches Twilio exactly once in effect. 429s pause all sending for Twilio's
 * `Retry-After` (the limit is per account) and retry the same reply.
 */
export class OutboxSender {
  readonly workerId = `outbox-${randomUUID()}`;
  readonly #settings: OutboxSenderSettings;
  readonly #inFlight = new Set<Promise<void>>();
  #loop: WorkLoop | undefined;
  #pausedUntil = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  /**
   * The last claim was cut short by this sender's capacity (no free slot, or as many items as
   * slots): more replies may be waiting, so a finished send claims again. Otherwise a claim
   * after a send finds nothing: new replies wake the loop (complete, enqueue and settle
   * notices: a settle that unblocks a conversation's next reply notifies), a 429 pause ends
   * with its timer, and a retry comes due by polling.
   */
  #capacityBound = false;

  constructor(settings: OutboxSenderSettings) {
    this.#settings = settings;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#loop = startWorkLoop({
      pollMs: this.#settings.pollMs,
      tick: () => this.#tick(),
      onError: (error) => this.#reportError("outbox-claim", error),
    });
  }

  wake(): void {
    this.#loop?.wake();
  }

  /** Sends in flight right now (catch-up's budget yields to them). */
  get active(): number {
    return this.#inFlight.size;
  }

  /** Stops claiming and waits for sends in flight (each is one HTTP request). */
  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
    clearTimeout(this.#pauseTimer);
    await Promise.all([...this.#inFlight]);
  }

  async #tick(): Promise<boolean> {
    const settings = this.#settings;
    const free = settings.concurrency - this.#inFlight.size;
    if (settings.now() < this.#pausedUntil) return false;
    if (free <= 0) {
      this.#capacityBound = true;
      return false;
    }
    const items = await settings.mailbox.claimOutbox(this.workerId, free, settings.leaseMs);
    this.#capacityBound = items.length >= free;
    for (const item of items) {
      const sending: Promise<void> = this.#send(item)
        .catch((error) => this.#reportError("send", error))
        .finally(() => {
          this.#inFlight.delete(sending);
          if (this.#capacityBound) this.wake();
        });
      this.#inFlight.add(sending);
    }
    return items.length >= free;
  }

  async #send(item: OutboxItem): Promise<void> {
    const settings = this.#settings;
    // The mailbox keeps the reconcile state: an earlier try may have reached Twilio.
    let ambiguous = item.mustReconcile;
    try {
      if (ambiguous) {
        // The previous try may have reached Twilio: look for the reply id before resending.
        const existing = await this.#findSent(item);
        if (existing !== undefined) {
          await this.#settleSent(item, existing.id, existing.index, true);
          return;
        }
        // Not there: from here on only this try's own outcome matters.
        ambiguous = false;
      }
      // Refused locally, without a Twilio call: the customer opted out.
      const refusal = await consentRefusal(settings.mailbox, item);
      if (refusal !== undefined) {
        await this.#settle(item, { failed: true, error: refusal }, false);
        return;
      }
      const message = this.#messageOf(item);
      if (settings.mailbox.startSendAttempt !== undefined) {
        // Recorded before the request leaves, fenced by this claim: if another instance took
        // the row (this one stalled past its liveness), nothing is sent; otherwise the row
        // stays ours until the request has landed or been cut off (the deadline below).
        const attemptMs = settings.sendAttemptMs ?? defaultSendAttemptMs;
        const deadline = settings.now() + attemptMs + sendLandingMarginMs;
        if (!(await settings.mailbox.startSendAttempt(item, deadline))) {
          this.#lostClaim(item);
          return;
        }
        // What is left of the bound, measured now: a stall since the record shortens it.
        message.timeoutMs = deadline - sendLandingMarginMs - settings.now();
        if (message.timeoutMs <= 0) {
          await this.#settle(
            item,
            this.#failureResult(item, outOfTime(), { kind: "unsent" }, false),
            false,
          );
          return;
        }
      }
      const sent = await settings.provider.sendMessage(item.conversationSid, message);
      await this.#settleSent(item, sent.id, sent.index, false);
    } catch (error) {
      const failure = classifySendFailure(error);
      if (failure.kind === "closed")
        // Closed is final: catch-up need not list this conversation any more.
        await rememberClosedConversations(
          settings.mailbox,
          [item.conversationSid],
          settings.now(),
        ).catch(() => {});
      if (isConversationGoneError(error))
        await markConversationGone(settings, item.conversationSid, error);
      await this.#settle(item, this.#failureResult(item, error, failure, ambiguous), false);
    }
  }

  /** Records the message and settles the reply; issued together, they share one commit. */
  async #settleSent(
    item: OutboxItem,
    messageSid: string,
    index: number | undefined,
    reconciled: boolean,
  ): Promise<void> {
    await Promise.all([
      this.#recordOwnMessage(item, messageSid, index),
      // The index on the outbox row keeps it "recorded" for the settle rule even though the
      // mailbox drops the history copy as an echo of this reply.
      this.#settle(
        item,
        index === undefined ? { sent: true, messageSid } : { sent: true, messageSid, index },
        reconciled,
      ),
    ]);
  }

  /**
   * Records our sent message at its `Index` as bot history. Our sends fire no webhook, so
   * without this the customer's next message would see a gap in the indexes (our reply's)
   * and wait out the mailbox's settle window before its turn. Best effort: the reply is
   * sent either way.
   */
  async #recordOwnMessage(item: OutboxItem, messageSid: string, index: number | undefined) {
    if (index === undefined) return;
    const settings = this.#settings;
    try {
      await settings.mailbox.ingest({
        conversationSid: item.conversationSid,
        messageSid,
        index,
        author: settings.botAuthor,
        body: item.body,
        media: [],
        attributes: { ...item.attributes, [replyIdAttribute]: item.replyId },
        channel: item.channel ?? "chat",
        source: "API",
        dateCreated: settings.now(),
        receivedAt: settings.now(),
        role: "bot",
      });
    } catch (error) {
      settings.logger.warn(
        { err: error, conversationSid: item.conversationSid, replyId: item.replyId },
        "could not record our sent message in history",
      );
    }
  }

  #messageOf(item: OutboxItem): RuntimeOutgoingMessage {
    const message: RuntimeOutgoingMessage = {
      from: this.#settings.botAuthor,
      attributes: { ...item.attributes, [replyIdAttribute]: item.replyId },
    };
    // Conversations takes media only as uploaded `ME…` SIDs, so URLs travel as links.
    const links = item.media.join("\n");
    const content = [item.body ?? "", links].filter((part) => part !== "").join("\n");
    if (content !== "") message.content = content;
    if (item.template !== null)
      message.template = {
        contentSid: item.template.contentSid,
        variables: { ...item.template.variables },
      };
    return message;
  }

  /** Another claim has the row (or its lease ran out): it decides; this try sends nothing. */
  #lostClaim(item: OutboxItem): void {
    this.#settings.logger.info(
      { conversationSid: item.conversationSid, replyId: item.replyId },
      "a reply's claim was taken over before it was sent; not sending it here",
    );
  }

  /** The message of an earlier attempt, if it reached Twilio. */
  async #findSent(item: OutboxItem): Promise<{ id: string; index: number } | undefined> {
    let seen = 0;
    for await (const message of this.#settings.provider.listMessages(item.conversationSid, {
      order: "desc",
      pageSize: 50,
    })) {
      if (replyIdOf(message.attributes) === item.replyId)
        return { id: message.id, index: message.index };
      seen += 1;
      if (seen >= reconcileDepth) break;
    }
    return undefined;
  }

  /**
   * What a failed try leads to. `stillAmbiguous`: an earlier try may have reached Twilio and
   * this one did not find out (the lookup itself failed), so the next try must look again.
   */
  #failureResult(
    item: OutboxItem,
    error: unknown,
    failure: SendFailure,
    stillAmbiguous: boolean,
  ): OutboxResult {
    const { retryPolicy, now } = this.#settings;
    const policy = retryPolicy.send;
    const reason = describeError(error);
    if (failure.kind === "throttled") {
      const wait =
        failure.retryAfterMs ?? backoffDelay(item.throttledCount + 1, policy.baseMs, policy.capMs);
      this.#pause(wait);
      // A 429 is never processed, so it says nothing about the reply and never uses up the
      // attempt budget (`throttled: true`: the mailbox does not count this claim); only an
      // earlier ambiguity calls for a lookup.
      return {
        retryAt: now() + wait,
        error: reason,
        throttled: true,
        outcome: stillAmbiguous ? "ambiguous" : "unsent",
      };
    }
    // Gone is final even after an ambiguous try: whatever it created went with the conversation.
    if (isConversationGoneError(error))
      return {
        failed: true,
        error: `conversation gone: Twilio no longer has it (deleted, or the emulator lost it); ${reason}`,
      };
    if (isFinalSendFailure(failure) && !stillAmbiguous) return { failed: true, error: reason };
    const ambiguous = stillAmbiguous || failure.kind === "ambiguous";
    // The mailbox does not count throttled claims (settled with `throttled: true`).
    const failures = item.attempt;
    if (failures >= policy.attempts)
      return { failed: true, error: `gave up after ${failures} failed attempts: ${reason}` };
    const backoff = backoffDelay(failures, policy.baseMs, policy.capMs);
    // A POST Twilio is still processing may not be listed yet: give it time to appear.
    const wait = ambiguous ? Math.max(backoff, policy.reconcileDelayMs) : backoff;
    return {
      retryAt: now() + wait,
      error: reason,
      outcome: ambiguous ? "ambiguous" : "unsent",
    };
  }

  async #settle(item: OutboxItem, result: OutboxResult, reconciled: boolean): Promise<void> {
    const settings = this.#settings;
    await settings.mailbox.settleOutbox(item, result);
    if ("sent" in result) {
      settings.events.emit("reply.sent", {
        conversationSid: item.conversationSid,
        replyId: item.replyId,
        messageSid: result.messageSid,
        reconciled,
        ...smsOf(item),
      });
    } else if ("failed" in result) {
      settings.logger.error(
        { conversationSid: item.conversationSid, replyId: item.replyId, reason: result.error },
        "reply given up",
      );
      settings.events.emit("reply.failed", {
        conversationSid: item.conversationSid,
        replyId: item.replyId,
        reason: result.error,
      });
    } else {
      if (result.throttled !== true) wakeBy(() => this.wake(), result.retryAt, settings);
      settings.logger.warn(
        { conversationSid: item.conversationSid, replyId: item.replyId, reason: result.error },
        "reply send failed; will retry",
      );
    }
  }

  #pause(wait: number): void {
    const until = this.#settings.now() + wait;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(() => this.wake(), wait + 1);
    this.#pauseTimer.unref();
  }

  #reportError(where: string, error: unknown): void {
    this.#settings.logger.error({ err: error, where }, "outbox sender error");
    this.#settings.events.emit("error", { where, error });
  }
}

/** The segment count `shapeReply` recorded on an SMS reply, for the sent event. */
function smsOf(item: OutboxItem): { sms?: SmsSegmentCount } {
  const recorded = item.attributes.switchboardSms as Partial<SmsSegmentCount> | undefined;
  if (recorded === undefined || typeof recorded.segments !== "number") return {};
  if (recorded.encoding !== "GSM-7" && recorded.encoding !== "UCS-2") return {};
  return { sms: { encoding: recorded.encoding, segments: recorded.segments } };
}

/** The error a send records when its bound ran out before its request could start. */
function outOfTime(): Error {
  return new Error("the send's time bound ran out before its request started; nothing was sent");
}
