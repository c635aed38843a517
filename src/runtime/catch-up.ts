import type { InboundMessage, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { type Identities, inboundFromListedMessage } from "./inbound-from-event.js";
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
  maxMessagesPerConversation: number;
}

/** The meta key holding when the last catch-up started (epoch ms). */
export const catchUpMetaKey = "catchUp.lastStartedAt";
/** The meta key holding when the first catch-up ran: nothing older is ever caught up. */
export const catchUpInstalledKey = "catchUp.installedAt";
/**
 * Conversations created shortly before the last run may not have been listed by it (clock
 * skew between us and Twilio, a run that was cut short): look a little further back.
 */
const creationOverlapMs = 10 * 60_000;

/** What one run found. */
export interface CatchUpResult {
  conversations: number;
  ingested: number;
}

/**
 * Fetches messages whose webhooks never arrived — Twilio gives up after its retries while
 * the service is down — and ingests them (dedupe makes a second copy harmless):
 * - for every conversation the mailbox knows, the messages after the last one it processed;
 * - for conversations created since the previous run, all their messages.
 * The first run on an empty mailbox only records the time: answering a service's whole past
 * on first deploy would be wrong.
 */
export async function catchUp(settings: CatchUpSettings): Promise<CatchUpResult> {
  const { mailbox, provider } = settings;
  const startedAt = settings.now();
  const previous = await mailbox.getMeta(catchUpMetaKey);
  const installed = await mailbox.getMeta(catchUpInstalledKey);
  if (installed === null) await mailbox.setMeta(catchUpInstalledKey, String(startedAt));
  const known = new Set(await mailbox.knownConversations());
  let conversations = 0;
  let ingested = 0;

  for (const conversationSid of known) {
    const record = await mailbox.conversation(conversationSid);
    const processed = record?.lastProcessedIndex ?? -1;
    const last = record?.lastIndex ?? -1;
    // Read back to the last answered message, not just the last recorded one: a lost
    // webhook below a later, delivered one would otherwise be skipped.
    const floor = Math.min(processed, last);
    const added = await guarded(settings, conversationSid, async () => {
      const found = await newerMessages(provider, conversationSid, floor, settings);
      return ingestAll(settings, conversationSid, found, record?.channel ?? null);
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
    // Twilio's listing has no creation-date filter on every API version, so filter here.
    for await (const conversation of provider.listConversations({ pageSize: 100 })) {
      if (known.has(conversation.id)) continue;
      if (conversation.createdAt.getTime() < since) continue;
      if (conversation.state === "closed") continue;
      const added = await guarded(settings, conversation.id, async () =>
        ingestAll(
          settings,
          conversation.id,
          await newerMessages(provider, conversation.id, -1, settings),
          null,
        ),
      );
      if (added > 0) conversations += 1;
      ingested += added;
    }
  }

  await mailbox.setMeta(catchUpMetaKey, String(startedAt));
  if (ingested > 0) {
    settings.logger.info({ conversations, ingested }, "catch-up stored missed messages");
    settings.events.emit("catch-up", { conversations, ingested });
  }
  return { conversations, ingested };
}

/**
 * One conversation's catch-up; a failure (deleted conversation, a REST error) is logged and
 * skipped so the others are still caught up. The next run tries it again.
 */
async function guarded(
  settings: CatchUpSettings,
  conversationSid: string,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (error) {
    settings.logger.warn({ err: error, conversationSid }, "catch-up skipped a conversation");
    return 0;
  }
}

/** Messages with `index > floor`, newest first from the provider, returned oldest first. */
async function newerMessages(
  provider: RuntimeProvider,
  conversationSid: string,
  floor: number,
  settings: CatchUpSettings,
): Promise<RuntimeListedMessage[]> {
  const found: RuntimeListedMessage[] = [];
  for await (const message of provider.listMessages(conversationSid, {
    order: "desc",
    pageSize: 50,
  })) {
    if (message.index <= floor) break;
    found.push(message);
    if (found.length >= settings.maxMessagesPerConversation) break;
  }
  return found.reverse();
}

async function ingestAll(
  settings: CatchUpSettings,
  conversationSid: string,
  messages: readonly RuntimeListedMessage[],
  channel: InboundMessage["channel"] | null,
): Promise<number> {
  let knownChannel = channel;
  const records = messages.map((listed) => {
    const inbound = inboundFromListedMessage(
      conversationSid,
      listed,
      settings.identities,
      knownChannel,
      settings.now(),
    );
    if (inbound.role === "customer") knownChannel ??= inbound.channel;
    return inbound;
  });
  // Concurrent ingests share one commit; the mailbox orders turns by Index, not arrival.
  const results = await Promise.all(records.map((record) => settings.mailbox.ingest(record)));
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
