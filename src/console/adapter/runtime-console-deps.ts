import type {
  ConversationRecord,
  HistoryEntry,
  MailboxStore,
} from "../../mailbox/mailbox-store.js";
import type { Switchboard } from "../../runtime/create-switchboard.js";
import type { FaceEventSource } from "../../runtime/live-event-source.js";
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

/** Options of {@link createRuntimeConsoleDeps}. */
export interface RuntimeConsoleDepsOptions {
  /** The running switchboard: its mailbox, events, handoff and dead letters. */
  switchboard: Pick<
    Switchboard,
    "mailbox" | "events" | "handoff" | "release" | "retryDeadLetter" | "skipDeadLetter"
  >;
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
  const typing = new Set<string>();

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
    return withHandoff(conversationOf(record, visible(entries).at(-1), typing.has(sid)));
  };
  const requireConversation = async (sid: string) => {
    const record = await mailbox.conversation(sid);
    if (record === null) throw new ConsoleNotFoundError(sid);
    return record;
  };

  const deps: ConsoleDeps = {
    info: () => options.info,
    async listConversations() {
      const sids = await mailbox.knownConversations();
      const conversations = await Promise.all(sids.map(summarize));
      return conversations.filter((item): item is ConsoleConversation => item !== undefined);
    },
    async transcript(sid) {
      const record = await mailbox.conversation(sid);
      if (record === null) return undefined;
      const entries = visible(await mailbox.history(sid, { limit }));
      return {
        conversation: await withHandoff(conversationOf(record, entries.at(-1), typing.has(sid))),
        messages: entries.map(messageOf),
      };
    },
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
          // Messages first, then the conversation: the page takes its last message from the
          // conversation event, whatever older messages were resent before it.
          for (const found of find(entries))
            safe({ type: "message", conversationSid: sid, message: messageOf(found) });
          safe({
            type: "conversation",
            conversation: await withHandoff(
              conversationOf(record, entries.at(-1), typing.has(sid)),
            ),
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
        events.on("typing", (event) =>
          safe({ type: "typing", conversationSid: event.conversationSid, on: event.on }),
        ),
        events.on("handoff", (event) => state(event.conversationSid, "human", event.reason)),
        // The conversation again, now with the handoff's summary and age.
        events.on("handoff.summary", (event) => refresh(event.conversationSid, () => [])),
        events.on("handoff.released", (event) => state(event.conversationSid, "bot")),
        events.on("dead-letter", (event) => state(event.conversationSid, "dead", event.reason)),
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
      await requireConversation(sid);
      return options.sendAsHuman(sid, text);
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

function messageOf(entry: HistoryEntry): ConsoleMessage {
  if (entry.direction === "outbound")
    return {
      id: entry.replyId,
      afterIndex: entry.afterIndex,
      role: "agent",
      author: "agent",
      body:
        entry.body ?? (entry.template === null ? null : `[template ${entry.template.contentSid}]`),
      media: entry.media.map((url) => ({ contentType: "application/octet-stream", url })),
      at: new Date(entry.createdAt).toISOString(),
      status: entry.status,
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
  };
}

function stateOf(record: ConversationRecord): ConsoleConversationState {
  if (record.state === "handoff") return "human";
  if (record.state === "dead") return "dead";
  return "bot";
}

function conversationOf(
  record: ConversationRecord,
  last: HistoryEntry | undefined,
  typing: boolean,
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
  return conversation;
}
