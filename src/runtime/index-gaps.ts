import type { ConversationRecord, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { ingestAll } from "./catch-up.js";
import type { CatchUpBudget } from "./catch-up-budget.js";
import { describeError } from "./describe-error.js";
import { isMarkedGone } from "./gone-conversations.js";
import type { Identities } from "./inbound-from-event.js";
import type { RuntimeListedMessage, RuntimeProvider } from "./runtime-provider.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** What filling an `Index` gap needs. */
export interface IndexGapSettings {
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  identities: Identities;
  now: () => number;
  budget: CatchUpBudget;
  /** Missing messages ingested per gap at most, the oldest first. */
  maxMessages: number;
  /**
   * How long a webhook waits for its gap's listing before its own message is stored anyway
   * (the listing then finishes in the background and the settle window covers it).
   */
  waitMs: number;
  signal?: AbortSignal;
}

const pageSize = 20;

/**
 * The webhook path's catch-up: a customer message whose `Index` is more than one above the
 * highest the mailbox recorded means messages in between are missing — their webhooks are
 * late (a retry after an instance died) or lost. Twilio already has them, so the one
 * conversation is listed at once, before the new message is stored: the missing ones are
 * stored first and the turn order holds without waiting out the settle window.
 *
 * Bounded: one listing per conversation at a time (a second gap webhook waits for it), each
 * request takes a slot of the catch-up budget, and when the budget has no slot free the
 * webhook does not wait for one — the listing runs in the background and the settle window
 * holds the turn meanwhile.
 */
export class IndexGaps {
  readonly #settings: IndexGapSettings;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(settings: IndexGapSettings) {
    this.#settings = settings;
  }

  /** Listings started so far (for tests and metrics). */
  fetches = 0;

  /**
   * Called with the conversation's row (or null) before a customer message at `index` is
   * ingested; resolves once the missing messages are stored, or after `waitMs`. Never rejects.
   */
  async beforeIngest(
    conversationSid: string,
    index: number,
    record: ConversationRecord | null,
  ): Promise<void> {
    const last = record?.lastIndex ?? -1;
    if (index <= last + 1 || (record !== null && isMarkedGone(record))) return;
    let running = this.#inFlight.get(conversationSid);
    if (running === undefined) {
      const slot = this.#settings.budget.tryTake();
      running = this.#fill(conversationSid, last, index, record, slot).finally(() =>
        this.#inFlight.delete(conversationSid),
      );
      this.#inFlight.set(conversationSid, running);
      // No slot now: the webhook does not wait for the budget.
      if (!slot) return;
    }
    await waitAtMost(running, this.#settings.waitMs);
  }

  async #fill(
    conversationSid: string,
    last: number,
    below: number,
    record: ConversationRecord | null,
    slotTaken: boolean,
  ): Promise<void> {
    const settings = this.#settings;
    this.fetches += 1;
    try {
      if (!slotTaken) await settings.budget.take("gap", settings.signal);
      const missing: RuntimeListedMessage[] = [];
      let seen = 0;
      const channel = record?.channel ?? null;
      for await (const message of settings.provider.listMessages(conversationSid, {
        order: "desc",
        pageSize,
        ...(channel === null ? {} : { channel }),
      })) {
        seen += 1;
        if (message.index <= last) break;
        if (message.index < below) {
          missing.push(message);
          // The oldest ones first: a longer gap is the periodic run's (or the next gap's).
          if (missing.length > settings.maxMessages) missing.shift();
        }
        if (seen % pageSize === 0) await settings.budget.take("gap", settings.signal);
      }
      if (missing.length === 0) return;
      await ingestAll(
        settings,
        conversationSid,
        missing.reverse(),
        channel,
        record?.proxyAddress ?? undefined,
      );
    } catch (error) {
      if (settings.signal?.aborted) return;
      // The webhook's message is stored anyway; the settle window and the periodic run
      // cover the gap. One line, no stack: it is Twilio's answer, not a bug here.
      settings.logger.warn(
        { conversationSid, reason: describeError(error) },
        "could not list the messages missing below a webhook's index",
      );
    }
  }
}

async function waitAtMost(work: Promise<void>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, milliseconds);
    }),
  ]);
  clearTimeout(timer);
}
