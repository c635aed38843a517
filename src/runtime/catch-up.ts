import type { ConversationRecord, InboundMessage, MailboxStore } from "../mailbox/mailbox-store.js";
import { mailboxLimits } from "../mailbox/validate-mailbox-input.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { CatchUpBudget } from "./catch-up-budget.js";
import { readClosedConversations, rememberClosedConversations } from "./closed-conversations.js";
import { customerOnArrival } from "./customer-on-arrival.js";
import type { CustomerSettings } from "./customer-options.js";
import {
  isConversationGoneError,
  isMarkedGone,
  markConversationGone,
} from "./gone-conversations.js";
import { type Identities, inboundFromListedMessage } from "./inbound-from-event.js";
import { ingestOrDeadLetter } from "./ingest-or-dead-letter.js";
import type { ProxyAddresses } from "./proxy-addresses.js";
import type { RuntimeListedMessage, RuntimeProvider } from "./runtime-provider.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** Everything catch-up needs, resolved. */
export interface CatchUpSettings {
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  identities: Identities;
  now: () => number;
  /** Messages above the last processed one ingested per conversation and run, oldest first. */
  maxMessagesPerConversation: number;
  /**
   * Known conversations without a customer message for this long are not listed any more
   * (closed ones are skipped at once): without it every run would list every conversation
   * ever seen. Default 7 days.
   */
  idleHorizonMs: number;
  /**
   * The newest messages of each conversation re-read every run, below the last processed
   * one too: a webhook lost while the service was up, below a later answered message, is
   * found this way (dedupe drops the ones already stored). Default 50.
   */
  tailWindow: number;
  /** Each conversation's proxy address, to recognise messages our own number authored. */
  proxies?: ProxyAddresses;
  /** Customers across channels; without it, messages are stored without customers. */
  customers?: CustomerSettings;
  /** The REST budget every listing request takes a slot of (see `CatchUpBudget`). */
  budget: CatchUpBudget;
  /** Conversations listed per run at most, most recently active first. Default 1000. */
  maxConversationsPerRun?: number;
  /** Aborted when the switchboard closes: a run waiting for its budget stops there. */
  signal?: AbortSignal;
}

/**
 * Which conversations a run lists: those with a customer message since `activeSince` (epoch
 * ms; pending ones always), most recent first. Without it, every one within the idle horizon.
 */
export interface CatchUpScope {
  activeSince?: number;
}

/**
 * Tail messages older than this are never re-ingested: well inside the mailbox's dedupe
 * retention (at least 7 days), so a message answered long ago cannot come back as new.
 */
const tailMaxAgeMs = 24 * 60 * 60_000;

/** The meta key holding when the last catch-up started (epoch ms). */
export const catchUpMetaKey = "catchUp.lastStartedAt";
/** The meta key holding when the first catch-up ran: nothing older is ever caught up. */
export const catchUpInstalledKey = "catchUp.installedAt";
/**
 * Conversations created shortly before the last run may not have been listed by it (clock
 * skew between us and Twilio, a run that was cut short): look a little further back.
 */
const creationOverlapMs = 10 * 60_000;

/** The `withLock` name under which instances sharing a mailbox take turns catching up. */
export const catchUpLockName = "catch-up";

/** What one run found. */
export interface CatchUpResult {
  conversations: number;
  ingested: number;
  /** REST requests the run made (each took a slot of the catch-up budget). */
  requests?: number;
  /**
   * True when another instance sharing the mailbox was catching up, so this one skipped the
   * round (the other run covers the same Twilio service).
   */
  ranElsewhere?: boolean;
}

/**
 * Fetches messages whose webhooks never arrived — Twilio gives up after its retries while
 * the service is down — and ingests them (dedupe makes a second copy harmless):
 * - for every conversation the mailbox knows, the messages after the last one it processed;
 * - for conversations created since the previous run, all their messages.
 * The first run on an empty mailbox only records the time: answering a service's whole past
 * on first deploy would be wrong.
 */
export async function catchUp(
  settings: CatchUpSettings,
  scope: CatchUpScope = {},
): Promise<CatchUpResult> {
  const { mailbox, provider, budget } = settings;
  const startedAt = settings.now();
  const spentBefore = budget.spent;
  const previous = await mailbox.getMeta(catchUpMetaKey);
  const installed = await mailbox.getMeta(catchUpInstalledKey);
  if (installed === null) await mailbox.setMeta(catchUpInstalledKey, String(startedAt));
  const closed = await readClosedConversations(mailbox);
  // Nothing created before the first run is caught up (one second for REST's whole seconds).
  const oldestTail = Math.max(Number(installed ?? startedAt) - 1000, startedAt - tailMaxAgeMs);
  const activeSince = Math.max(
    startedAt - settings.idleHorizonMs,
    scope.activeSince ?? Number.NEGATIVE_INFINITY,
  );
  const records = await candidates(settings, closed, activeSince);
  // Conversations the listing below finds are checked one by one: only those created since
  // the previous run are listed, so this stays O(new conversations).
  const isKnown = async (conversationSid: string) =>
    (await mailbox.conversation(conversationSid)) !== null;
  let conversations = 0;
  let ingested = 0;

  for (const record of records) {
    const conversationSid = record.conversationSid;
    const processed = record.lastProcessedIndex ?? -1;
    const last = record.lastIndex ?? -1;
    // Read back to the last answered message, not just the last recorded one: a lost
    // webhook below a later, delivered one would otherwise be skipped.
    const floor = Math.min(processed, last);
    const added = await guarded(settings, conversationSid, async () => {
      const found = await newerMessages(provider, conversationSid, floor, settings, record.channel);
      const tail = await unseenTail(mailbox, conversationSid, found.tail, oldestTail);
      return ingestAll(
        settings,
        conversationSid,
        [...tail, ...found.above],
        record.channel,
        // The mailbox's own record, never a participant listing: a conversation whose
        // channel is known but whose proxy address is not just has none to compare.
        record.proxyAddress ?? undefined,
      );
    });
    if (added > 0) conversations += 1;
    ingested += added;
  }

  if (previous !== null && provider.listConversations !== undefined) {
    // Twilio's REST dates have whole seconds: allow one second before installation.
    const since = Math.max(
      Number(previous) - creationOverlapMs,
      Number(installed ?? previous) - 1000,
    );
    // `startDate` lets Twilio list only recent conversations (newest first); it has whole
    // days, and a provider may ignore it, so the exact cut is made here.
    const newlyClosed: string[] = [];
    const pageSize = 100;
    let seen = 0;
    // Twilio lists newest first when given `startDate`: once one is older than `since`, so
    // are the rest, and their pages are not read. (A provider that ignores `startDate` and
    // lists in another order is read to the end.)
    let newestFirst = true;
    let sawRecent = false;
    let previousCreated = Number.POSITIVE_INFINITY;
    await budget.take("background", settings.signal);
    for await (const conversation of provider.listConversations({
      pageSize,
      startDate: startOfDay(since),
    })) {
      seen += 1;
      // The next item opens the next page: one more request.
      if (seen % pageSize === 0) await budget.take("background", settings.signal);
      if (conversation.state === "closed") {
        if (!closed.has(conversation.id) && (await isKnown(conversation.id)))
          newlyClosed.push(conversation.id);
        continue;
      }
      const created = conversation.createdAt.getTime();
      newestFirst &&= created <= previousCreated;
      previousCreated = created;
      if (created < since) {
        // Past the window, going down: the rest are older still.
        if (newestFirst && sawRecent) break;
        continue;
      }
      sawRecent = true;
      if (await isKnown(conversation.id)) continue;
      const added = await guarded(settings, conversation.id, async () => {
        await budget.take("background", settings.signal);
        const proxy = await settings.proxies?.fetch(conversation.id).catch(() => undefined);
        const found = await newerMessages(provider, conversation.id, -1, settings, null);
        return ingestAll(settings, conversation.id, found.above, null, proxy);
      });
      if (added > 0) conversations += 1;
      ingested += added;
    }
    await rememberClosedConversations(mailbox, newlyClosed, startedAt, settings.idleHorizonMs);
  }

  await mailbox.setMeta(catchUpMetaKey, String(startedAt));
  if (ingested > 0) {
    settings.logger.info({ conversations, ingested }, "catch-up stored missed messages");
    settings.events.emit("catch-up", { conversations, ingested });
  }
  return { conversations, ingested, requests: budget.spent - spentBefore };
}

/**
 * The conversations a run lists, most recently active first, at most
 * `maxConversationsPerRun`: not closed, not gone, with a customer message (or, with none yet,
 * created) since `activeSince`. Reads the mailbox only (no REST), through its activity index
 * when it has one, so a run costs O(active conversations), not O(conversations ever seen).
 */
async function candidates(
  settings: CatchUpSettings,
  closed: ReadonlySet<string> | ReadonlyMap<string, unknown>,
  activeSince: number,
): Promise<ConversationRecord[]> {
  const { mailbox } = settings;
  const max = settings.maxConversationsPerRun ?? 1000;
  if (mailbox.activeConversations !== undefined) {
    // Closed ones are dropped after the query: ask for that many more (bounded by the limit).
    const limit = Math.min(mailboxLimits.activeLimit, max + closed.size);
    const active = await mailbox.activeConversations(activeSince, limit);
    return active.filter((record) => !closed.has(record.conversationSid)).slice(0, max);
  }
  // A store without the query: every known conversation's row is read.
  const records: ConversationRecord[] = [];
  for (const conversationSid of await mailbox.knownConversations()) {
    if (closed.has(conversationSid)) continue;
    const record = await mailbox.conversation(conversationSid);
    // Twilio no longer has it (marked on its first 404): nothing can arrive there.
    if (record === null || isMarkedGone(record)) continue;
    // No customer message yet (a conversation we opened): kept, the record has no creation time.
    if ((record.lastInboundAt ?? activeSince) < activeSince) continue;
    records.push(record);
  }
  records.sort((a, b) => (b.lastInboundAt ?? 0) - (a.lastInboundAt ?? 0));
  return records.slice(0, max);
}

/**
 * One conversation's catch-up; a failure (a REST error) is logged and skipped so the others
 * are still caught up, and the next run tries it again. A 404 means Twilio no longer has the
 * conversation: it is marked gone (one warn line, the first time only) and never read again.
 */
async function guarded(
  settings: CatchUpSettings,
  conversationSid: string,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (error) {
    // Closing: the run stops here, and the next process catches up from the same point.
    if (settings.signal?.aborted) throw error;
    if (isConversationGoneError(error))
      await markConversationGone(settings, conversationSid, error);
    else settings.logger.warn({ err: error, conversationSid }, "catch-up skipped a conversation");
    return 0;
  }
}

/**
 * One conversation's recent messages, read newest first (Twilio lists by index only from
 * either end): `above` — the oldest `maxMessagesPerConversation` with `index > floor`, oldest
 * first, so a gap larger than that is filled from below over successive runs, never skipped;
 * `tail` — those at or below `floor` among the newest `tailWindow`, to find lost webhooks.
 */
export async function newerMessages(
  provider: RuntimeProvider,
  conversationSid: string,
  floor: number,
  settings: Pick<
    CatchUpSettings,
    "maxMessagesPerConversation" | "tailWindow" | "budget" | "signal"
  >,
  channel: InboundMessage["channel"] | null,
): Promise<{ above: RuntimeListedMessage[]; tail: RuntimeListedMessage[] }> {
  const above: RuntimeListedMessage[] = [];
  const tail: RuntimeListedMessage[] = [];
  const pageSize = 50;
  let seen = 0;
  await settings.budget.take("background", settings.signal);
  for await (const message of provider.listMessages(conversationSid, {
    order: "desc",
    pageSize,
    // Known from the mailbox: the provider need not list participants to label messages.
    ...(channel === null ? {} : { channel }),
  })) {
    seen += 1;
    if (message.index > floor) {
      above.push(message);
      // Keep only the oldest ones: the newest wait for a later run.
      if (above.length > settings.maxMessagesPerConversation) above.shift();
    } else if (seen <= settings.tailWindow) tail.push(message);
    else break;
    // The next item opens the next page: one more request.
    if (seen % pageSize === 0) await settings.budget.take("background", settings.signal);
  }
  return { above: above.reverse(), tail: tail.reverse() };
}

/**
 * Tail messages the mailbox does not hold, created since `oldest`. Read against the recent
 * history first so a quiet run writes nothing; dedupe still stops any the history missed.
 */
export async function unseenTail(
  mailbox: MailboxStore,
  conversationSid: string,
  tail: readonly RuntimeListedMessage[],
  oldest: number,
): Promise<RuntimeListedMessage[]> {
  const recent = tail.filter((message) => message.createdAt.getTime() >= oldest);
  if (recent.length === 0) return [];
  const history = await mailbox.history(conversationSid, {
    limit: Math.min(500, recent.length * 2 + 50),
  });
  const stored = new Set<string>();
  for (const entry of history) {
    if (entry.direction === "inbound") stored.add(entry.messageSid);
    else if (entry.messageSid !== null) stored.add(entry.messageSid);
  }
  return recent.filter((message) => !stored.has(message.id));
}

/** Midnight UTC of the day `at` falls in: Twilio's `StartDate` has whole days. */
function startOfDay(at: number): Date {
  const day = new Date(at);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

/** Ingests listed messages (dedupe drops stored ones); answers how many were new. */
export async function ingestAll(
  settings: Pick<
    CatchUpSettings,
    "mailbox" | "events" | "identities" | "now" | "logger" | "customers"
  >,
  conversationSid: string,
  messages: readonly RuntimeListedMessage[],
  channel: InboundMessage["channel"] | null,
  proxyAddress: string | null | undefined,
): Promise<number> {
  let knownChannel = channel;
  const records = messages.map((listed) => {
    const inbound = inboundFromListedMessage(
      conversationSid,
      listed,
      settings.identities,
      knownChannel,
      settings.now(),
      proxyAddress,
    );
    if (inbound.role === "customer") knownChannel ??= inbound.channel;
    return inbound;
  });
  // One conversation has one customer address: its latest customer message finds it.
  const customerMessage = records.findLast((record) => record.role === "customer");
  if (settings.customers !== undefined && customerMessage !== undefined)
    await customerOnArrival(customerMessage, { ...settings, customers: settings.customers });
  // Concurrent ingests share one commit; the mailbox orders turns by Index, not arrival.
  // A message the mailbox refuses for good becomes an inbound dead letter, not a failure of
  // the whole conversation's catch-up on every run.
  const results = await Promise.all(
    records.map((record) => ingestOrDeadLetter(record, settings, "catch-up")),
  );
  let added = 0;
  results.forEach((result, position) => {
    if (result !== "accepted") return;
    added += 1;
    const record = records[position]!;
    settings.events.emit("message.ingested", {
      conversationSid,
      messageSid: record.messageSid,
      role: record.role,
      via: "catch-up",
    });
  });
  return added;
}
