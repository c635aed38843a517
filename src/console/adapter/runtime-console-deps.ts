// Over 400 lines on purpose: the one place that maps the runtime's mailbox and events to the
// console's wire types.
import type {
  ConsentRecord,
  ConversationRecord,
  DeliveryRecord,
  HistoryEntry,
  MailboxStore,
} from "../../mailbox/mailbox-store.js";
import { mailboxLimits } from "../../mailbox/validate-mailbox-input.js";
import type { Switchboard } from "../../runtime/create-switchboard.js";
import { isConversationGoneError, isMarkedGone } from "../../runtime/gone-conversations.js";
import type { FaceEventSource } from "../../runtime/live-event-source.js";
import { shownReplyText } from "../../runtime/reply-attributes.js";
import { choicesAttribute } from "../../runtime/reply-shaping.js";
import { type RichState, richState } from "../../runtime/rich-state.js";
import type { RuntimeProvider } from "../../runtime/runtime-provider.js";
import { templateReply, type WhatsAppTemplate } from "../../runtime/whatsapp-window.js";
import { type Choices, selectableChoices } from "../../twilio/channels/choices.js";
import type {
  ConsoleChannel,
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleDeps,
  ConsoleEvent,
  ConsoleInfo,
  ConsoleMessage,
} from "../console-deps.js";
import { ConsoleConflictError, ConsoleNotFoundError } from "../console-errors.js";
import { consentOf, deliveryOf, receiptOf, whatsappWindowOf } from "./console-delivery.js";

/** Options of {@link createRuntimeConsoleDeps}. */
export interface RuntimeConsoleDepsOptions {
  /** The running switchboard: its mailbox, events, handoff and dead letters. */
  switchboard: Pick<
    Switchboard,
    "mailbox" | "events" | "handoff" | "release" | "retryDeadLetter" | "skipDeadLetter" | "markGone"
  > &
    Partial<Pick<Switchboard, "setConsent">>;
  /**
   * Where live changes come from; default `switchboard.events` (this instance). Pass the
   * live events of every instance (`liveEventSource(switchboard.live)`) behind a load balancer.
   */
  events?: FaceEventSource;
  info: ConsoleInfo;
  /**
   * Sends an operator's text as a person. Use a provider with webhooks enabled so the
   * message comes back through the webhook and is recorded in the mailbox as `human`.
   */
  sendAsHuman(conversationSid: string, text: string): Promise<{ messageSid?: string }>;
  /** Dev mode: writes as a customer through the emulator. */
  sendAsCustomer?: ConsoleDeps["sendAsCustomer"];
  /** Messages shown per transcript. Default 500. */
  transcriptLimit?: number;
  /**
   * Conversations the list shows by most recent activity (default 1,000, at most 10,000),
   * besides as many dead letters (the oldest) and up to 1,000 waiting for a person, however
   * old: opening the console reads the same whatever the number of conversations ever seen
   * or dead-lettered.
   */
  listLimit?: number;
  /**
   * The WhatsApp template the service sends outside the 24-hour window: the reply box offers
   * it when the window is closed.
   */
  whatsappTemplate?: WhatsAppTemplate;
  /** Epoch ms, for the WhatsApp window. Default `Date.now`. */
  now?: () => number;
  /**
   * Reads an attachment's bytes (the provider's `fetchMedia`), so the operator can open a
   * customer's photo or PDF. Absent: attachments are listed but cannot be opened.
   */
  fetchMedia?: RuntimeProvider["fetchMedia"];
}

/** Conversations summarized at once when the list is read. */
const summariesAtOnce = 16;

/**
 * The conversations the console lists: the `limit` most recently active (gone ones too, shown
 * as gone), then the `limit` oldest dead letters and the longest waiting for a person not
 * among them. A store without `activeConversations` lists every known conversation.
 */
async function listedConversations(mailbox: MailboxStore, limit: number): Promise<string[]> {
  if (mailbox.activeConversations === undefined) return mailbox.knownConversations();
  const [recent, dead, waiting] = await Promise.all([
    mailbox.activeConversations(0, limit, { includeGone: true }),
    // An outage can dead-letter tens of thousands: each listed one is summarized.
    mailbox.deadLetters({ limit }),
    mailbox.waitingForPerson({ limit: 1_000 }),
  ]);
  return [
    ...new Set([
      ...recent.map((record) => record.conversationSid),
      ...dead.map((letter) => letter.conversationSid),
      ...waiting.map((item) => item.conversationSid),
    ]),
  ];
}

/**
 * `ConsoleDeps` over the real runtime: conversations and transcripts from the mailbox,
 * live events from the runtime's events, takeover through `handoff`/`release`, dead
 * letters through the switchboard so its workers wake up.
 */
export function createRuntimeConsoleDeps(options: RuntimeConsoleDepsOptions): ConsoleDeps {
  const { switchboard } = options;
  const events: FaceEventSource = options.events ?? switchboard.events;
  const mailbox: MailboxStore = switchboard.mailbox;
  const limit = options.transcriptLimit ?? 500;
  const listLimit = options.listLimit ?? 1_000;
  if (!Number.isSafeInteger(listLimit) || listLimit < 1 || listLimit > mailboxLimits.activeLimit)
    throw new RangeError(
      `listLimit must be an integer from 1 to ${mailboxLimits.activeLimit}; got ${String(listLimit)}.`,
    );
  const typing = new Set<string>();
  const rich = richState(mailbox);

  const now = options.now ?? Date.now;
  const template = options.whatsappTemplate;
  const consentFor = async (record: ConversationRecord) =>
    record.customerAddress === null || record.channel === "chat" || record.channel === null
      ? null
      : mailbox.consent(record.customerAddress);
  /** The conversation with its consent and WhatsApp window, as every face of it shows. */
  const describe = async (record: ConversationRecord, last: HistoryEntry | undefined) => {
    const sid = record.conversationSid;
    const conversation = conversationOf(record, last, typing.has(sid), await consentFor(record));
    if (record.channel === "whatsapp")
      conversation.whatsappWindow = whatsappWindowOf(record, now(), template !== undefined);
    return conversation;
  };
  const deliveriesOf = async (sid: string) =>
    new Map((await mailbox.deliveries(sid)).map((record) => [record.messageSid, record]));
  // A conversation a person holds shows why, since when, and the handoff's summary.
  const withHandoff = async (conversation: ConsoleConversation): Promise<ConsoleConversation> => {
    if (conversation.state !== "human") return conversation;
    const note = await mailbox.handoffNote(conversation.sid);
    if (note === null) return conversation;
    return {
      ...conversation,
      handoff: {
        reason: note.reason,
        source: note.source,
        summary: note.summary,
        since: new Date(note.startedAt).toISOString(),
      },
    };
  };

  const summarize = async (sid: string): Promise<ConsoleConversation | undefined> => {
    const record = await mailbox.conversation(sid);
    if (record === null) return undefined;
    const entries = await mailbox.history(sid, { limit: 10 });
    return withHandoff(await describe(record, visible(entries).at(-1)));
  };
  const requireConversation = async (sid: string) => {
    const record = await mailbox.conversation(sid);
    if (record === null) throw new ConsoleNotFoundError(sid);
    return record;
  };

  const deps: ConsoleDeps = {
    async refusedMessages() {
      const letters = await switchboard.mailbox.inboundDeadLetters({ limit: 100 });
      return letters.map((letter) => ({
        conversationSid: letter.conversationSid,
        messageSid: letter.messageSid,
        author: letter.author,
        field: letter.field,
        reason: letter.reason,
        bodyLength: letter.bodyLength,
        at: new Date(letter.recordedAt).toISOString(),
      }));
    },
    info: () => options.info,
    async listConversations() {
      const sids = await listedConversations(mailbox, listLimit);
      const conversations: (ConsoleConversation | undefined)[] = [];
      // A few at a time: each is several reads, and a list of thousands must not take every
      // pool connection (or queue thousands of reads) while webhooks wait.
      for (let start = 0; start < sids.length; start += summariesAtOnce)
        conversations.push(
          ...(await Promise.all(sids.slice(start, start + summariesAtOnce).map(summarize))),
        );
      return conversations.filter((item): item is ConsoleConversation => item !== undefined);
    },
    async transcript(sid) {
      const record = await mailbox.conversation(sid);
      if (record === null) return undefined;
      const entries = visible(await mailbox.history(sid, { limit }));
      const deliveries = await deliveriesOf(sid);
      return {
        conversation: await withHandoff(await describe(record, entries.at(-1))),
        messages: await messagesOf(entries, rich, deliveries),
      };
    },
    ...(options.fetchMedia === undefined
      ? {}
      : {
          async readMedia(sid: string, index: number, position: number, signal: AbortSignal) {
            const fetchMedia = options.fetchMedia!;
            // Only what the transcript shows can be opened: the same window of history.
            const entries = await mailbox.history(sid, { limit });
            const entry = entries.find(
              (item) => item.direction === "inbound" && item.index === index,
            );
            const item = entry?.direction === "inbound" ? entry.media[position] : undefined;
            if (item === undefined) return undefined;
            return {
              contentType: item.contentType,
              filename: item.filename ?? null,
              body: await fetchMedia(item.sid, signal),
            };
          },
        }),
    subscribe(listener) {
      const safe = (event: ConsoleEvent) => {
        try {
          listener(event);
        } catch {
          // A closed stream must not break the runtime's events.
        }
      };
      const refresh = (
        sid: string,
        find: (entries: readonly HistoryEntry[]) => readonly HistoryEntry[],
      ) => {
        void (async () => {
          const record = await mailbox.conversation(sid);
          if (record === null) return;
          const entries = visible(await mailbox.history(sid, { limit: 20 }));
          const deliveries = await deliveriesOf(sid);
          // Messages first, then the conversation: the page takes its last message from the
          // conversation event, whatever older messages were resent before it.
          const found = find(entries);
          // Only messages with media need the transcripts read; the rest go out at once.
          const messages = found.some(hasMedia)
            ? await messagesOf(found, rich, deliveries)
            : found.map((entry) => messageOf(entry, deliveries));
          for (const message of messages) safe({ type: "message", conversationSid: sid, message });
          safe({
            type: "conversation",
            conversation: await withHandoff(await describe(record, entries.at(-1))),
          });
        })().catch(() => {});
      };
      const state = (sid: string, value: ConsoleConversationState, reason?: string) =>
        safe({
          type: "state",
          conversationSid: sid,
          state: value,
          ...(reason === undefined ? {} : { reason }),
        });
      const stops = [
        events.on("message.ingested", (event) =>
          refresh(event.conversationSid, (entries) =>
            lastMatching(
              entries,
              (entry) => entry.direction === "inbound" && entry.messageSid === event.messageSid,
            ),
          ),
        ),
        // The turn's messages are no longer pending: resend them so the page replaces them
        // (by index) without their "pending" badge.
        events.on("turn.completed", (event) =>
          refresh(event.conversationSid, (entries) => answeredBy(entries, event.turnId)),
        ),
        events.on("reply.sent", (event) =>
          refresh(event.conversationSid, (entries) =>
            lastMatching(
              entries,
              (entry) => entry.direction === "outbound" && entry.replyId === event.replyId,
            ),
          ),
        ),
        // A reply that failed, or whose receipt moved it, is shown again with its status.
        events.on("reply.failed", (event) =>
          refresh(event.conversationSid, (entries) =>
            lastMatching(
              entries,
              (entry) => entry.direction === "outbound" && entry.replyId === event.replyId,
            ),
          ),
        ),
        // A receipt for a reply, or for a message an operator wrote as a person.
        events.on("delivery.updated", (event) =>
          refresh(event.conversationSid, (entries) =>
            lastMatching(
              entries,
              (entry) =>
                entry.messageSid === event.messageSid &&
                (entry.direction === "outbound" || entry.role === "human"),
            ),
          ),
        ),
        events.on("consent.changed", (event) => {
          if (event.conversationSid !== null) refresh(event.conversationSid, () => []);
        }),
        events.on("typing", (event) =>
          safe({ type: "typing", conversationSid: event.conversationSid, on: event.on }),
        ),
        events.on("handoff", (event) => state(event.conversationSid, "human", event.reason)),
        // The conversation again, now with the handoff's summary and age.
        events.on("handoff.summary", (event) => refresh(event.conversationSid, () => [])),
        events.on("handoff.released", (event) => state(event.conversationSid, "bot")),
        events.on("dead-letter", (event) => state(event.conversationSid, "dead", event.reason)),
        events.on("conversation.gone", (event) =>
          state(event.conversationSid, "gone", event.reason),
        ),
        events.on("message.refused", (event) =>
          safe({
            type: "refused",
            conversationSid: event.conversationSid,
            messageSid: event.messageSid,
          }),
        ),
      ];
      return () => {
        for (const stop of stops) stop();
      };
    },
    async setHandoff(sid, on) {
      await requireConversation(sid);
      if (on) await switchboard.handoff(sid, "operator");
      else await switchboard.release(sid);
    },
    async replyAsHuman(sid, text) {
      const record = await requireConversation(sid);
      if (isMarkedGone(record)) throw goneError(sid);
      // Refused before any Twilio call: an opted-out customer must not be messaged by
      // accident, and free text outside WhatsApp's window would fail (63016) after the fact.
      if ((await consentFor(record))?.state === "opted-out")
        throw new ConsoleConflictError(
          "opted_out",
          "This customer opted out: nothing is sent to them until they opt back in (they send START, or an operator opts them in).",
        );
      if (record.channel === "whatsapp" && !whatsappWindowOf(record, now(), false).open)
        throw new ConsoleConflictError(
          "whatsapp_window_closed",
          template === undefined
            ? "Outside WhatsApp's 24-hour window: free text would not be delivered, and no template is configured (channels.whatsapp.template)."
            : "Outside WhatsApp's 24-hour window: free text would not be delivered. Send the template instead.",
        );
      try {
        return await options.sendAsHuman(sid, text);
      } catch (error) {
        if (!isConversationGoneError(error)) throw error;
        // Found out now: mark it (once, for every face and catch-up) and say so plainly.
        await switchboard.markGone(sid, error);
        throw goneError(sid);
      }
    },
    async sendTemplate(sid) {
      const record = await requireConversation(sid);
      if (template === undefined)
        throw new ConsoleConflictError(
          "no_template",
          "No WhatsApp template is configured (channels.whatsapp.template).",
        );
      if (record.channel !== "whatsapp")
        throw new ConsoleConflictError("not_whatsapp", "Templates are for WhatsApp conversations.");
      if ((await consentFor(record))?.state === "opted-out")
        throw new ConsoleConflictError(
          "opted_out",
          "This customer opted out: nothing is sent to them until they opt back in.",
        );
      // Through the outbox: durable, in order after the replies already queued, sent once.
      const replyId = `operator-${globalThis.crypto.randomUUID()}.template`;
      await mailbox.enqueueReply(sid, replyId, templateReply(template, "operator"));
      return { replyId };
    },
    async retryDeadLetter(sid) {
      await requireConversation(sid);
      if (!(await switchboard.retryDeadLetter(sid)))
        throw new ConsoleConflictError("no_dead_letter", `Conversation ${sid} has no dead letter.`);
    },
    async skipDeadLetter(sid) {
      await requireConversation(sid);
      if (!(await switchboard.skipDeadLetter(sid)))
        throw new ConsoleConflictError("no_dead_letter", `Conversation ${sid} has no dead letter.`);
    },
  };
  if (options.sendAsCustomer !== undefined) deps.sendAsCustomer = options.sendAsCustomer;
  const setConsent = switchboard.setConsent;
  if (setConsent !== undefined)
    deps.setConsent = async (sid, state) => {
      const record = await requireConversation(sid);
      if (record.customerAddress === null || record.channel === "chat" || record.channel === null)
        throw new ConsoleConflictError(
          "no_consent",
          "Consent applies to SMS and WhatsApp customers only.",
        );
      await setConsent(record.customerAddress, state, {
        detail: "console",
        conversationSid: sid,
      });
    };

  // Keep the typing set current for list and transcript reads.
  events.on("typing", (event) => {
    if (event.on) typing.add(event.conversationSid);
    else typing.delete(event.conversationSid);
  });
  return deps;
}

/**
 * History without echoes: our own replies are shown once, from the outbox, even if webhooks
 * for REST sends were enabled and they came back as `bot` messages.
 */
function visible(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const sent = new Set(
    entries.flatMap((entry) =>
      entry.direction === "outbound" && entry.messageSid !== null ? [entry.messageSid] : [],
    ),
  );
  const inbound = entries
    .filter((entry) => entry.direction === "inbound" && !sent.has(entry.messageSid))
    .sort((a, b) => indexOf(a) - indexOf(b));
  const outbound = entries.filter((entry) => entry.direction === "outbound");
  // Each reply goes right after the message its turn answered, in the order it was written.
  const ordered: HistoryEntry[] = [];
  let next = 0;
  for (const entry of inbound) {
    while (next < outbound.length && afterIndexOf(outbound[next]!) < indexOf(entry))
      ordered.push(outbound[next++]!);
    ordered.push(entry);
  }
  while (next < outbound.length) ordered.push(outbound[next++]!);
  return ordered;
}

function lastMatching(
  entries: readonly HistoryEntry[],
  matches: (entry: HistoryEntry) => boolean,
): HistoryEntry[] {
  const found = entries.findLast(matches);
  return found === undefined ? [] : [found];
}

/**
 * The customer messages a turn may have answered: those after the message the previous
 * turn's replies answered. Inbound rows do not name their turn, and a turn without replies
 * leaves no mark, so this may include a few still pending; resending those is harmless.
 */
function answeredBy(entries: readonly HistoryEntry[], turnId: string): HistoryEntry[] {
  let answeredBefore = -1;
  for (const entry of entries)
    if (entry.direction === "outbound" && entry.turnId !== turnId)
      answeredBefore = Math.max(answeredBefore, entry.afterIndex);
  return entries.filter(
    (entry) =>
      entry.direction === "inbound" && entry.role === "customer" && entry.index > answeredBefore,
  );
}

const indexOf = (entry: HistoryEntry) => (entry.direction === "inbound" ? entry.index : -1);
const afterIndexOf = (entry: HistoryEntry) =>
  entry.direction === "outbound" ? entry.afterIndex : -1;

const hasMedia = (entry: HistoryEntry) => entry.direction === "inbound" && entry.media.length > 0;

/** Messages with the transcripts the agent stored for their voice notes. */
async function messagesOf(
  entries: readonly HistoryEntry[],
  rich: RichState,
  deliveries: ReadonlyMap<string, DeliveryRecord>,
): Promise<ConsoleMessage[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const message = messageOf(entry, deliveries);
      if (entry.direction !== "inbound" || entry.media.length === 0) return message;
      const transcripts = await rich.transcripts(entry.messageSid);
      if (transcripts.size === 0) return message;
      message.media = message.media.map((media, position) => {
        const transcript = transcripts.get(position);
        return transcript === undefined ? media : { ...media, transcript };
      });
      return message;
    }),
  );
}

/** The segment count recorded on an SMS reply (see `shapeReply`). */
function smsOf(attributes: Readonly<Record<string, unknown>>): Pick<ConsoleMessage, "sms"> {
  const recorded = attributes.switchboardSms as
    | { encoding?: unknown; segments?: unknown }
    | undefined;
  if (typeof recorded?.segments !== "number") return {};
  if (recorded.encoding !== "GSM-7" && recorded.encoding !== "UCS-2") return {};
  return { sms: { encoding: recorded.encoding, segments: recorded.segments } };
}

/** The options a reply offered (see `choicesAttribute`), as the console lists them. */
function choicesOf(attributes: Readonly<Record<string, unknown>>): Pick<ConsoleMessage, "choices"> {
  const offered = attributes[choicesAttribute] as Choices | undefined;
  if (typeof offered !== "object" || offered === null) return {};
  try {
    const options = selectableChoices(offered).filter(
      (option) => typeof option?.id === "string" && typeof option.title === "string",
    );
    if (options.length === 0) return {};
    return {
      choices: options.map((option) => ({
        id: option.id,
        title: option.title,
        ...(typeof option.description === "string" ? { description: option.description } : {}),
      })),
    };
  } catch {
    // Attributes another writer set in an unexpected shape: show the message without them.
    return {};
  }
}

function messageOf(
  entry: HistoryEntry,
  deliveries: ReadonlyMap<string, DeliveryRecord> = new Map(),
): ConsoleMessage {
  if (entry.direction === "outbound")
    return {
      id: entry.replyId,
      afterIndex: entry.afterIndex,
      role: "agent",
      author: "agent",
      // A verification code never reaches an operator's screen.
      body:
        shownReplyText(entry) ??
        (entry.template === null ? null : `[template ${entry.template.contentSid}]`),
      media: entry.media.map((url) => ({ contentType: "application/octet-stream", url })),
      at: new Date(entry.createdAt).toISOString(),
      status: entry.status,
      delivery: deliveryOf(
        entry,
        entry.messageSid === null ? undefined : deliveries.get(entry.messageSid),
      ),
      ...smsOf(entry.attributes),
      ...choicesOf(entry.attributes),
    };
  return {
    index: entry.index,
    role: entry.role === "customer" ? "customer" : entry.role === "human" ? "human" : "agent",
    author: entry.author,
    body: entry.body,
    media: entry.media.map((media) => ({
      contentType: media.contentType,
      filename: media.filename ?? null,
    })),
    at: new Date(entry.dateCreated).toISOString(),
    // Only states an operator acts on; answered and recorded messages need no label.
    ...(entry.status === "done" || entry.status === "history" ? {} : { status: entry.status }),
    ...(entry.consentMark === undefined ? {} : { consent: entry.consentMark }),
    // An operator's message went out through Twilio like a reply: its receipts say where it
    // stands (an SMS the carrier refused, WhatsApp free text outside the 24-hour window).
    ...(entry.role === "human" ? { delivery: receiptOf(deliveries.get(entry.messageSid)) } : {}),
  };
}

/** The refusal of a reply in a conversation Twilio no longer has (a 409, not a 500). */
function goneError(sid: string): ConsoleConflictError {
  return new ConsoleConflictError(
    "conversation_gone",
    `Conversation ${sid} no longer exists in Twilio (it was deleted, or the dev emulator lost it), so nothing can be sent to it. The customer's next message starts a new conversation.`,
  );
}

function stateOf(record: ConversationRecord): ConsoleConversationState {
  // Nothing an operator does can help a conversation Twilio no longer has.
  if (isMarkedGone(record)) return "gone";
  if (record.state === "handoff") return "human";
  if (record.state === "dead") return "dead";
  return "bot";
}

function conversationOf(
  record: ConversationRecord,
  last: HistoryEntry | undefined,
  typing: boolean,
  consent: ConsentRecord | null,
): ConsoleConversation {
  const lastMessage = last === undefined ? null : messageOf(last);
  const channel: ConsoleChannel = record.channel ?? "chat";
  const conversation: ConsoleConversation = {
    sid: record.conversationSid,
    channel,
    customer: record.customerAddress ?? "unknown",
    state: stateOf(record),
    lastMessage:
      lastMessage === null
        ? null
        : { role: lastMessage.role, body: lastMessage.body, at: lastMessage.at },
    updatedAt: lastMessage?.at ?? new Date(0).toISOString(),
    typing,
  };
  if (record.state === "dead" && record.lastError !== null)
    conversation.deadLetterReason = record.lastError;
  if (record.goneReason !== null) conversation.goneReason = record.goneReason;
  if (consent !== null) conversation.consent = consentOf(consent);
  return conversation;
}
