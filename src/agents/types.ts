/**
 * The agent boundary: what switchboard hands an agent for one turn of a conversation, and
 * what the agent may answer. These types are the specification the runtime, the mailbox
 * and every agent adapter rely on; they know nothing of Twilio's wire format or of storage.
 *
 * One turn = one call to {@link Agent.respond}. Within a conversation turns arrive strictly
 * one at a time and in message order; different conversations call the same agent in
 * parallel, so an agent must not keep per-conversation state in memory between calls (the
 * history is given to it instead).
 */

import type { ChannelCapabilities } from "../channel/channel-capabilities.js";
import type { Choice, Choices } from "../channel/choices.js";
import type { ToolJournal } from "./tool-journal.js";

/** The channel a customer writes on. Chat is web chat (an identity, no phone binding). */
export type { Channel } from "../channel/channel.js";

import type { Channel } from "../channel/channel.js";

/** What a piece of media is, for an agent: see {@link mediaKind}. */
export type MediaKind = "image" | "audio" | "document" | "other";

/**
 * A piece of media attached to a customer message. Twilio stores inbound media itself and
 * its URLs need the account's credentials, so an agent gets the bytes through `read()`
 * (provided by the runtime, bounded in size and type) rather than a link to hand a model.
 */
export interface InboundMedia {
  /** What the media is; when absent, derive it from `contentType` with `mediaKind`. */
  kind?: MediaKind;
  /**
   * The bytes, fetched with the account's credentials by the runtime. Rejects with
   * `MediaRejectedError` when the media is larger than the runtime allows or of a type it
   * does not accept; absent when the runtime offers no bytes (e.g. the content type is
   * not allowed, so the agent knows without trying).
   */
  read?: () => Promise<Uint8Array>;
  /**
   * The transcript of a voice note, when an earlier turn transcribed it (history) — see
   * `Reply.transcripts`, which is how it gets here.
   */
  transcript?: string;
  /** Twilio's media id (`ME…`), when known. */
  sid?: string;
  /** IANA media type, e.g. `image/jpeg`. */
  contentType: string;
  filename?: string;
  /** Size in bytes, when known. */
  size?: number;
  /** A link the agent can fetch; may need the account's credentials. */
  url?: string;
}

/** One customer message that belongs to the current turn. */
export interface TurnMessage {
  /** Twilio's message id (`IM…`); unique and stable across webhook retries. */
  messageSid: string;
  /** The message's position in the conversation (Twilio `Index`); turns follow it. */
  index: number;
  /** The text of the message; `""` when the customer sent only media. */
  body: string;
  media: readonly InboundMedia[];
  /** When Twilio created the message. */
  dateCreated: Date;
  /** The message's JSON attributes, parsed; `{}` when none. */
  attributes?: Readonly<Record<string, unknown>>;
  /**
   * The option the customer picked, when the message answers choices a reply offered (a
   * WhatsApp button tap, a web chat button, or "2" on SMS). `body` is still the text.
   */
  choice?: Choice;
}

/**
 * What the customer said in this turn. Usually one message; a burst policy may gather
 * several messages sent in quick succession into one turn so the agent answers them once.
 */
export interface Turn {
  conversationSid: string;
  /** The customer messages of this turn, in `index` order; never empty. */
  messages: readonly TurnMessage[];
  /** The messages' bodies joined with `"\n"` (empty bodies left out): what to answer. */
  text: string;
  channel: Channel;
  /**
   * Who wrote: the customer's address as Twilio reports it as `Author` — a phone number
   * (`+15551230001`), a WhatsApp address (`whatsapp:+15551230001`) or a chat identity.
   * Treat it as personal data: do not log it in full.
   */
  author: string;
  /** The customer's participant id (`MB…`), when known. */
  participantSid?: string;
  /** All media of all messages of the turn, in order. */
  media: readonly InboundMedia[];
}

/**
 * Who wrote a message in the history, seen from the business:
 * - `customer` — the person the agent talks to;
 * - `agent` — this switchboard's agent (its earlier replies);
 * - `human` — a person answering for the business (an operator after a handoff).
 */
export type HistoryRole = "customer" | "agent" | "human";

/** One earlier message of the conversation, as recorded by the mailbox. */
export interface HistoryMessage {
  role: HistoryRole;
  /** The text as sent or received; `""` for media-only messages. */
  text: string;
  /** When the message was created. */
  dateCreated: Date;
  /** Twilio's message id, when the message reached Twilio. */
  messageSid?: string;
  /** The Twilio `Author` of the message, when known. */
  author?: string;
  media?: readonly InboundMedia[];
  /**
   * Set only on messages from the customer's other conversations (another channel: they
   * texted, then opened the web chat): the channel it went by. Replies still go only to the
   * conversation of the turn. `toModelMessages` labels such lines with channel and time.
   */
  elsewhere?: { channel: Channel; conversationSid: string };
}

/** What the agent may know about the conversation as a whole. */
export interface ConversationInfo {
  /** Twilio's conversation id (`CH…`). */
  sid: string;
  channel: Channel;
  /** The customer's address or chat identity (same form as {@link Turn.author}). */
  customer: string;
  /**
   * The customer's id (`cu_…`) across channels, when the mailbox knows them: the same person
   * on SMS, WhatsApp and web chat (see `switchboard.customers`).
   */
  customerId?: string;
  friendlyName?: string;
  /** The conversation's JSON attributes, parsed. */
  attributes?: Readonly<Record<string, unknown>>;
  /**
   * When the customer last wrote. On WhatsApp a free-form reply is only allowed within
   * 24 hours of it; outside that window the runtime sends the configured template.
   */
  lastInboundAt?: Date;
}

/** Everything besides the turn that an agent receives. */
export interface AgentContext {
  /**
   * Earlier messages of this conversation, oldest first, bounded by the runtime (the
   * turn's own messages are not included). Agents may bound it further.
   */
  history: readonly HistoryMessage[];
  conversation: ConversationInfo;
  /**
   * Aborted when the turn's lease is lost, the service shuts down, or (policy `interrupt`) a
   * newer customer message interrupts the turn, which is then answered with it. Pass it to
   * every network call: a reply produced after the abort is discarded, never sent.
   */
  signal: AbortSignal;
  /**
   * Identifies this turn, stable across re-runs of the same turn (retries, a new worker
   * after a crash or a lost lease). Idempotency keys of tool calls derive from it; when
   * absent, agents use the conversation and the turn's first message id.
   */
  turnId?: string;
  /**
   * Where tool results of this turn are journaled (see {@link ToolJournal}), so a re-run
   * replays them instead of repeating their effects. Absent: tools simply run.
   */
  journal?: ToolJournal;
  /** The channel and what it can carry; absent: the channel's defaults apply. */
  channel?: { name: Channel; capabilities: ChannelCapabilities };
  /**
   * Set on the first turn after a person held the conversation and it came back to the
   * agent (an operator handed it back, or the hand-back timeout): what happened meanwhile,
   * so the agent does not repeat or contradict the person. `note` says it in one line for a
   * system prompt.
   */
  handback?: HandbackInfo;
}

/** What happened while a person held the conversation: see {@link AgentContext.handback}. */
export interface HandbackInfo {
  /** Who gave it back: an operator, or the timeout because nobody picked it up. */
  by: "operator" | "timeout";
  heldFrom: Date;
  heldUntil: Date;
  /** Why it was handed off. */
  reason: string;
  /** The handoff's summary. */
  summary: string;
  /** What the person wrote to the customer meanwhile, oldest first; empty when nobody did. */
  staffMessages: readonly string[];
  /** All of this as one line, e.g. for a system prompt. */
  note: string;
}

/** Media to send: a public URL Twilio can fetch, or bytes the runtime uploads first. */
export type ReplyMedia =
  | { url: string; contentType?: string; filename?: string }
  | { data: Uint8Array; contentType: string; filename?: string };

/**
 * A Twilio Content template (`HX…`) with its variables (`{ "1": "Ada" }`). Required on
 * WhatsApp outside the 24-hour window; when present, Twilio ignores text and media.
 */
export interface ReplyTemplate {
  contentSid: string;
  variables?: Readonly<Record<string, string>>;
}

/**
 * A message back to the customer. At least one of `text`, `media`, `template` is set.
 * `text` may be markdown: it is turned into the channel's formatting (plain text for SMS,
 * WhatsApp's `*bold*` style, unchanged for chat) and split at the channel's limit, never
 * truncated.
 */
export interface MessageReply extends ReplyNotes {
  text?: string;
  media?: readonly ReplyMedia[];
  template?: ReplyTemplate;
  /**
   * Options for the customer to pick: WhatsApp buttons or a list, web chat buttons,
   * numbered text on SMS. The pick comes back as {@link TurnMessage.choice}.
   */
  choices?: Choices;
}

/** A voice note's transcript, made during a turn, for the runtime to keep in history. */
export interface MediaTranscript {
  /** The message the voice note belongs to. */
  messageSid: string;
  /** The media's position in that message's `media`. */
  mediaIndex: number;
  /** Twilio's media id, when known. */
  mediaSid?: string;
  text: string;
}

/** What any reply may also report besides the answer. */
export interface ReplyNotes {
  /**
   * Transcripts of the turn's voice notes. The runtime stores them with the inbound
   * media, so later turns (as {@link InboundMedia.transcript}) and the console see them.
   */
  transcripts?: readonly MediaTranscript[];
}

/**
 * Hand the conversation to a human: no agent turns run until an operator hands it back;
 * customer messages are still recorded. `text`, when given, is sent first (e.g. "A person
 * will answer you shortly").
 */
export interface HandoffReply extends ReplyNotes {
  handoff: {
    reason: string;
    /**
     * A short summary for the person taking over. When absent the runtime makes an
     * extractive one (`summarizeForHandoff`).
     */
    summary?: string;
  };
  text?: string;
}

/** Answer nothing this turn (e.g. the message needs no answer). The turn still completes. */
export interface SkipReply extends ReplyNotes {
  skip: true;
  reason?: string;
}

/** An agent's answer to one turn. */
export type Reply = MessageReply | HandoffReply | SkipReply;

/**
 * The one interface every agent implements. `respond` is called once per turn; it may
 * throw (the runtime retries the turn with backoff, then dead-letters it) and must honour
 * `context.signal`.
 */
export interface Agent {
  respond(turn: Turn, context: AgentContext): Promise<Reply>;
  /**
   * Optional: a short summary of the conversation for the person taking it over, however
   * the handoff came about (the agent, a keyword, an operator). Must not throw and should
   * return within a few seconds; when absent the runtime uses `extractiveHandoffSummary`.
   * `aiSdkAgent` implements it with one bounded model call.
   */
  summarizeForHandoff?(
    history: readonly HistoryMessage[],
    options: { signal: AbortSignal },
  ): Promise<string>;
}
