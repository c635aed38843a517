import type { ConversationRecord, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { ingestAll } from "./catch-up.js";
import type { CatchUpBudget } from "./catch-up-budget.js";
import type { CustomerSettings } from "./customer-options.js";
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
  /** Customers across channels: a found message gets its customer as a webhook's would. */
  customers?: CustomerSettings;
}

const pageSize = 50;
/**
 * Conversations whose recorded-through index is remembered at most (the most recently noted
 * ones): enough for every conversation active in a busy minute, and bounded, so an idle
 * conversation costs nothing here (~100 bytes each while remembered).
 */
export const rememberedConversations = 4_096;
/** Pages one gap listing reads at most; a deeper gap is left to the settle window and runs. */
const maxPages = 3;

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
  /**
   * One listing per conversation: `listing` once it holds a budget slot (is under way),
   * `below` the index of the webhook that started it (it lists what is missing below).
   */
  readonly #inFlight = new Map<string, { work: Promise<void>; listing: boolean; below: number }>();

  /**
   * Per conversation, an index through which every message is known recorded (stored or one
   * of our replies) down to the last answered one, as found by this object's own checks.
   * Messages are never unrecorded while their conversation lives, so the fact stays true:
   * the next message in sequence needs no read at all. Map order is recency, for the bound.
   */
  readonly #recordedThrough = new Map<string, number>();

  constructor(settings: IndexGapSettings) {
    this.#settings = settings;
  }

  /** Listings started so far (for tests and metrics). */
  fetches = 0;

  /**
   * Whether nothing can be missing below a message at `index`: every index under it is
   * known recorded (see `recorded`). Then the webhook skips the conversation read and
   * `beforeIngest` — the common case of a conversation's next message in sequence.
   */
  knownComplete(conversationSid: string, index: number): boolean {
    const through = this.#recordedThrough.get(conversationSid);
    return through !== undefined && index <= through + 1;
  }

  /**
   * A customer message at `index` is stored and nothing was missing below it (its
   * `beforeIngest` answered true, or `knownComplete` did): the next index needs no check.
   */
  recorded(conversationSid: string, index: number): void {
    const through = this.#recordedThrough.get(conversationSid);
    if (through !== undefined && through >= index) return;
    this.#recordedThrough.delete(conversationSid);
    this.#recordedThrough.set(conversationSid, index);
    if (this.#recordedThrough.size > rememberedConversations)
      for (const oldest of this.#recordedThrough.keys()) {
        this.#recordedThrough.delete(oldest);
        break;
      }
  }

  /**
   * Called with the conversation's row (or null) before a customer message at `index` is
   * ingested; resolves once the missing messages are stored, or after `waitMs`. Never rejects.
   * Answers true when nothing was missing below `index` (no listing was needed).
   */
  async beforeIngest(
    conversationSid: string,
    index: number,
    record: ConversationRecord | null,
  ): Promise<boolean> {
    if (record !== null && isMarkedGone(record)) return false;
    // Everything above the last answered message must be recorded up to this one: stored
    // (any role) or one of our sent replies. Not just "above lastIndex": a reply sent after
    // a lost message would hide the gap below it.
    const floor = record?.lastProcessedIndex ?? -1;
    if ((await this.#gapBelow(conversationSid, floor, index, record)) === "none") return true;
    let running = this.#inFlight.get(conversationSid);
    // A listing under way for an earlier webhook lists only what was missing below its own
    // message, which may stop below this one: then this webhook needs a listing of its own.
    // (Two at once for a conversation are harmless: dedupe drops what both find.)
    if (running === undefined || running.below < index) {
      const slot = this.#settings.budget.tryTake();
      const entry = { work: Promise.resolve(), listing: slot, below: index };
      entry.work = this.#fill(conversationSid, floor, index, record, slot, () => {
        entry.listing = true;
      }).finally(() => {
        if (this.#inFlight.get(conversationSid) === entry) this.#inFlight.delete(conversationSid);
      });
      running = entry;
      this.#inFlight.set(conversationSid, running);
    }
    // Waits only for a listing under way; one still queued for the budget is not waited
    // for (the settle window holds the turn meanwhile). Waiting for the budget would hold
    // this message back too — and it may be the one a later webhook is missing: with many
    // gaps at once (a flood, a restart) that turns a full budget into answers out of order.
    if (!running.listing) return false;
    await waitAtMost(running.work, this.#settings.waitMs);
    return false;
  }

  /**
   * Whether indexes between the last answered message and this one are missing: neither
   * stored nor one of our sent replies. A reply being sent may hold one of them (Twilio
   * numbered it, the sender has not recorded it yet); that cannot be told from here, so it
   * counts as a gap — a listing too many, never a turn out of order.
   */
  async #gapBelow(
    conversationSid: string,
    floor: number,
    index: number,
    record: ConversationRecord | null,
  ): Promise<"none" | "gap"> {
    const expected = index - floor - 1;
    if (expected <= 0) return "none";
    const { mailbox } = this.#settings;
    if (record === null || mailbox.indexGap === undefined)
      return index > (record?.lastIndex ?? -1) + 1 ? "gap" : "none";
    if ((record.lastIndex ?? -1) <= floor) return "gap";
    try {
      const known = await mailbox.indexGap(conversationSid, floor, index);
      return known.recorded >= expected ? "none" : "gap";
    } catch {
      // The ingest below meets the same store and reports its failure; no listing.
      return "none";
    }
  }

  async #fill(
    conversationSid: string,
    last: number,
    below: number,
    record: ConversationRecord | null,
    slotTaken: boolean,
    onSlot: () => void,
  ): Promise<void> {
    const settings = this.#settings;
    this.fetches += 1;
    try {
      if (!slotTaken) {
        await settings.budget.take("gap", settings.signal);
        onSlot();
      }
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
        // A further page only if the budget has a slot now and the gap is still below: a
        // webhook may be waiting on this listing, so it never queues for the budget.
        if (seen % pageSize === 0 && (seen >= pageSize * maxPages || !settings.budget.tryTake()))
          break;
      }
      settings.logger.debug(
        { conversationSid, above: last, below, found: missing.length },
        "listed the messages missing below a webhook's index",
      );
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
