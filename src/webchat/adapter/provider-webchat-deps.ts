import { isConversationGoneError } from "../../runtime/gone-conversations.js";
import type { FaceEventSource } from "../../runtime/live-event-source.js";
import { replyIdAttribute } from "../../runtime/reply-attributes.js";
import { choicesAttribute } from "../../runtime/reply-shaping.js";
import { choiceAttribute } from "../../runtime/rich-turn.js";
import { type Choices, selectableChoices } from "../../twilio/channels/choices.js";
import type { TwilioMessage } from "../../twilio/provider/provider-types.js";
import { WebchatConversationGoneError } from "../webchat-conversation-gone-error.js";
import type {
  WebchatChoice,
  WebchatDeps,
  WebchatEvent,
  WebchatMessage,
  WebchatRole,
} from "../webchat-deps.js";

/** The part of `TwilioProvider` the web chat needs. */
export interface WebchatProvider {
  createConversation(input: {
    friendlyName?: string;
    attributes?: Record<string, unknown>;
  }): Promise<{ id: string }>;
  addParticipant(conversationId: string, input: { chat: string }): Promise<unknown>;
  sendMessage(
    conversationId: string,
    input: {
      content?: string;
      from: string;
      attributes?: Record<string, unknown>;
      media?: { content: Uint8Array; contentType: string; filename?: string };
    },
  ): Promise<{ id: string; index: number }>;
  /** The bytes of a media item (`ME…`); optional: without it the widget shows names only. */
  fetchMedia?(mediaSid: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  listMessages(
    conversationId: string,
    options: { order: "asc" | "desc"; pageSize?: number; limit?: number },
  ): AsyncIterable<TwilioMessage>;
  getConversation(conversationId: string): Promise<{ state: string }>;
}

/** Options of {@link createProviderWebchatDeps}. */
export interface ProviderWebchatDepsOptions {
  /**
   * A provider whose writes carry `X-Twilio-Webhook-Enabled: true` (`webhookEnabled: true`),
   * so a visitor's message reaches switchboard's webhook and flows through the mailbox
   * like an SMS. It must not be the runtime's own provider, whose replies must never come
   * back to the webhook.
   */
  provider: WebchatProvider;
  /** The runtime's events: new messages, sent replies and the typing indicator. */
  events: FaceEventSource;
  /** The Author of the agent's replies. Default `"switchboard"`. */
  botAuthor?: string;
  /** Authors shown as a person (operators). */
  humanAuthors?: readonly string[];
  /**
   * Called when Twilio answers 404 for a visitor's conversation (deleted, or the dev emulator
   * lost it), before the visitor is moved to a fresh one: e.g. `switchboard.markGone`, so the
   * console shows it gone too. Its errors are ignored.
   */
  onGone?(conversationSid: string, cause: unknown): unknown;
  /**
   * How long a conversation's history is reused, in ms (default 5000): reconnecting widgets
   * then share one Twilio read instead of spending the account's REST budget one request
   * each. New messages and replies drop the cached history at once.
   */
  cacheMs?: number;
  /**
   * How long "this conversation is open" is believed, in ms (default 0: concurrent checks
   * share one read). A closed conversation is remembered for good: it never reopens.
   */
  openStateCacheMs?: number;
  /** The clock for the cache. Default `Date.now`. */
  now?: () => number;
}

/**
 * `WebchatDeps` over Twilio Conversations: a visitor is a chat participant of their own
 * conversation; their messages are REST creates with webhooks enabled; history is the
 * conversation's message list; live events are the runtime's (a message ingested or a
 * reply sent triggers a read of what is new, so the widget sees exactly Twilio's record).
 */
export function createProviderWebchatDeps(options: ProviderWebchatDepsOptions): WebchatDeps {
  const { provider, events } = options;
  const botAuthor = options.botAuthor ?? "switchboard";
  const humanAuthors = new Set(options.humanAuthors ?? []);
  const listeners = new Map<string, Set<(event: WebchatEvent) => void>>();
  /** Runs a call addressed to one conversation; Twilio's 404 becomes the gone error. */
  const addressed = async <T>(conversationSid: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (!isConversationGoneError(error)) throw error;
      // Gone is final: no cached "open" may hide it from the next check.
      if (gone.size >= 10_000) gone.clear();
      gone.add(conversationSid);
      openCache.forget(conversationSid);
      historyCache.forget(conversationSid);
      try {
        await options.onGone?.(conversationSid, error);
      } catch {
        // Reporting it is a courtesy; the visitor moves on either way.
      }
      throw new WebchatConversationGoneError(conversationSid, { cause: error });
    }
  };
  /** The highest index reported per subscribed conversation, and the read in flight. */
  const cursors = new Map<string, { last: number; reading: Promise<void> }>();

  const roleOf = (message: TwilioMessage): WebchatRole => {
    if (message.from === botAuthor || message.from === "system") return "agent";
    if (typeof message.attributes[replyIdAttribute] === "string") return "agent";
    if (humanAuthors.has(message.from)) return "human";
    return "visitor";
  };
  const toMessage = (message: TwilioMessage): WebchatMessage => ({
    index: message.index,
    author: message.from,
    body: message.content,
    media: message.media.map((media) => ({
      contentType: media.contentType ?? "application/octet-stream",
      filename: media.filename,
      ...(media.size === null ? {} : { size: media.size }),
    })),
    dateCreated: message.createdAt.toISOString(),
    role: roleOf(message),
    ...choicesOf(message.attributes),
  });
  const emit = (conversationSid: string, event: WebchatEvent) => {
    for (const listener of listeners.get(conversationSid) ?? []) {
      try {
        listener(event);
      } catch {
        // A broken stream must not stop the others.
      }
    }
  };

  /** Reads the messages newer than the cursor and reports them in index order. */
  const pull = (conversationSid: string) => {
    const cursor = cursors.get(conversationSid);
    if (cursor === undefined) return;
    cursor.reading = cursor.reading.then(async () => {
      const newer: TwilioMessage[] = [];
      try {
        for await (const message of provider.listMessages(conversationSid, {
          order: "desc",
          pageSize: 20,
          limit: 100,
        })) {
          if (message.index <= cursor.last) break;
          newer.push(message);
        }
      } catch {
        // The next trigger (or the widget's reconnect with `after`) reads it again.
        return;
      }
      newer.reverse();
      for (const message of newer) {
        cursor.last = Math.max(cursor.last, message.index);
        emit(conversationSid, { type: "message", message: toMessage(message) });
      }
    });
  };

  const cacheMs = options.cacheMs ?? 5000;
  const now = options.now ?? Date.now;
  const openCache = shortCache<boolean>(options.openStateCacheMs ?? 0, now);
  const closed = new Set<string>();
  /** Conversations Twilio answered 404 for: never asked about again. */
  const gone = new Set<string>();
  const historyCache = shortCache<TwilioMessage[]>(cacheMs, now);

  const listAll = async (conversationSid: string) => {
    const listed: TwilioMessage[] = [];
    for await (const message of provider.listMessages(conversationSid, { order: "asc" }))
      listed.push(message);
    return listed;
  };

  const triggers = [
    events.on("message.ingested", (event) => {
      historyCache.forget(event.conversationSid);
      pull(event.conversationSid);
    }),
    events.on("reply.sent", (event) => {
      historyCache.forget(event.conversationSid);
      pull(event.conversationSid);
    }),
    events.on("typing", (event) => {
      if (listeners.has(event.conversationSid))
        emit(event.conversationSid, { type: "typing", on: event.on });
    }),
  ];
  // Live for the life of the process: the faces share it with the runtime.
  void triggers;

  return {
    async startConversation(identity) {
      const conversation = await provider.createConversation({
        friendlyName: `Web chat ${identity}`,
        attributes: { switchboardChannel: "webchat" },
      });
      await provider.addParticipant(conversation.id, { chat: identity });
      return { conversationSid: conversation.id };
    },
    sendVisitorMessage({ conversationSid, identity, text, choiceId }) {
      return addressed(conversationSid, async () => {
        const sent = await provider.sendMessage(conversationSid, {
          content: text,
          from: identity,
          ...(choiceId === undefined
            ? {}
            : { attributes: { [choiceAttribute]: { id: choiceId } } }),
        });
        return { messageSid: sent.id, index: sent.index };
      });
    },
    sendVisitorMedia({ conversationSid, identity, file }) {
      return addressed(conversationSid, async () => {
        const sent = await provider.sendMessage(conversationSid, { from: identity, media: file });
        return { messageSid: sent.id, index: sent.index };
      });
    },
    async readMedia(conversationSid, index, position, signal) {
      const fetchMedia = provider.fetchMedia?.bind(provider);
      if (fetchMedia === undefined) return undefined;
      const all = await addressed(conversationSid, () =>
        historyCache.get(conversationSid, () => listAll(conversationSid)),
      );
      let item = all.find((message) => message.index === index)?.media[position];
      if (item === undefined) {
        // Newer than the cached history: read it again once.
        historyCache.forget(conversationSid);
        const fresh = await addressed(conversationSid, () =>
          historyCache.get(conversationSid, () => listAll(conversationSid)),
        );
        item = fresh.find((message) => message.index === index)?.media[position];
      }
      if (item === undefined) return undefined;
      return {
        contentType: item.contentType ?? "application/octet-stream",
        body: await fetchMedia(item.sid, signal),
      };
    },
    history(conversationSid, { after }) {
      return addressed(conversationSid, async () => {
        const all = await historyCache.get(conversationSid, () => listAll(conversationSid));
        return all.filter((message) => after === undefined || message.index > after).map(toMessage);
      });
    },
    subscribe(conversationSid, listener) {
      let set = listeners.get(conversationSid);
      if (set === undefined) {
        set = new Set();
        listeners.set(conversationSid, set);
        cursors.set(conversationSid, { last: -1, reading: Promise.resolve() });
      }
      set.add(listener);
      return () => {
        const current = listeners.get(conversationSid);
        current?.delete(listener);
        if (current?.size === 0) {
          listeners.delete(conversationSid);
          cursors.delete(conversationSid);
        }
      };
    },
    async isClosed(conversationSid) {
      if (closed.has(conversationSid)) return true;
      if (gone.has(conversationSid)) throw new WebchatConversationGoneError(conversationSid);
      const isClosed = await addressed(conversationSid, () =>
        openCache.get(
          conversationSid,
          async () => (await provider.getConversation(conversationSid)).state === "closed",
        ),
      );
      if (isClosed) {
        if (closed.size >= 10_000) closed.clear();
        closed.add(conversationSid);
      }
      return isClosed;
    },
  };
}

/**
 * A per-key cache of reads that live `ttlMs`; concurrent reads of one key share one
 * request, a failed read is not kept, and at most 10 000 keys are held.
 */
function shortCache<T>(ttlMs: number, now: () => number) {
  const entries = new Map<string, { at: number; value: Promise<T>; pending: boolean }>();
  return {
    get(key: string, read: () => Promise<T>): Promise<T> {
      const entry = entries.get(key);
      if (entry !== undefined && (now() - entry.at < ttlMs || entry.pending)) return entry.value;
      if (entries.size >= 10_000) entries.clear();
      const value = read();
      const created = { at: now(), value, pending: true };
      entries.set(key, created);
      value.then(
        () => {
          created.at = now();
          created.pending = false;
          if (ttlMs === 0 && entries.get(key) === created) entries.delete(key);
        },
        () => {
          if (entries.get(key) === created) entries.delete(key);
        },
      );
      return value;
    },
    forget(key: string) {
      entries.delete(key);
    },
  };
}

/** The options an agent message offers (see `choicesAttribute`), as the widget shows them. */
function choicesOf(attributes: Readonly<Record<string, unknown>>): { choices?: WebchatChoice[] } {
  const offered = attributes[choicesAttribute] as Choices | undefined;
  if (typeof offered !== "object" || offered === null) return {};
  try {
    const choices = selectableChoices(offered)
      .filter((option) => typeof option?.id === "string" && typeof option.title === "string")
      .map((option) => ({
        id: option.id,
        title: option.title,
        ...(typeof option.description === "string" ? { description: option.description } : {}),
      }));
    return choices.length === 0 ? {} : { choices };
  } catch {
    // Attributes in an unexpected shape: the message shows without buttons.
    return {};
  }
}
