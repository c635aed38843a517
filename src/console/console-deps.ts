import type { Channel } from "../channel/channel.js";
/**
 * What the dev console needs from the rest of switchboard. The console is a thin face: it
 * authenticates the operator, validates input, and shows what these functions report. The
 * lead wires them to the runtime (conversations, handoff, dead letters), the mailbox
 * (transcripts) and, in dev mode, the emulator (writing as a customer).
 *
 * Functions may throw `ConsoleNotFoundError` (→ 404) or `ConsoleConflictError` (→ 409, e.g.
 * retrying a conversation that has no dead letter), or any `SwitchboardError` with code
 * `conversation_not_found` / `conversation_closed` / `no_dead_letter`; anything else
 * becomes a 500 with a generic message and is logged.
 */
export interface ConsoleDeps {
  /** Facts for the header: mode, the emulator inspector's URL, channels and numbers. */
  info(): ConsoleInfo | Promise<ConsoleInfo>;

  /** Every conversation worth showing, any order (the API sorts newest activity first). */
  listConversations(): Promise<ConsoleConversation[]>;

  /** One conversation with its messages in order, or `undefined` when it does not exist. */
  transcript(conversationSid: string): Promise<ConsoleTranscript | undefined>;

  /**
   * Calls `listener` for every change from now on: conversation upserts (new, new last
   * message, state change), new messages, the agent's typing indicator, state changes.
   * Returns the function that stops it. The listener never throws.
   */
  subscribe(listener: (event: ConsoleEvent) => void): () => void;

  /**
   * Dev mode only (absent in `serve`): writes `text` as a customer on `channel` from the
   * address `from`, through the emulator, so it arrives like a real customer's message
   * (signed webhook, mailbox, agent). `from` is E.164 for SMS, `whatsapp:+E164` for
   * WhatsApp, a chat identity for web chat. Returns the conversation it landed in when
   * known, so the console can open it.
   */
  sendAsCustomer?(input: {
    channel: ConsoleChannel;
    from: string;
    text: string;
  }): Promise<{ conversationSid?: string; messageSid?: string }>;

  /** `on`: a person takes the conversation (the agent stops answering); `off`: hand back. */
  setHandoff(conversationSid: string, on: boolean): Promise<void>;

  /** Sends `text` into the conversation as a person (the operator), not as the agent. */
  replyAsHuman(conversationSid: string, text: string): Promise<{ messageSid?: string }>;

  /** Runs the dead-lettered turn again. */
  retryDeadLetter(conversationSid: string): Promise<void>;

  /** Drops the dead-lettered turn so the conversation moves on. */
  skipDeadLetter(conversationSid: string): Promise<void>;
}

/** The channels a conversation's customer can be on. */
export type ConsoleChannel = Channel;

/** Who answers: the agent, a person (after a handoff), or nobody until an operator acts. */
export type ConsoleConversationState = "bot" | "human" | "dead";

/** The header facts. */
export interface ConsoleInfo {
  /** `dev`: against the embedded emulator (writing as a customer works); `serve`: real Twilio. */
  mode: "dev" | "serve";
  /** The emulator's inspector page, in dev mode. Must be an http(s) URL. */
  inspectorUrl?: string;
  /** The channels this deployment answers on. */
  channels: ConsoleChannel[];
  /** The business side's addresses, shown in the header. */
  numbers: { sms?: string; whatsapp?: string };
}

/** One conversation as the list shows it. */
export interface ConsoleConversation {
  sid: string;
  channel: ConsoleChannel;
  /** The customer's address: a phone number, `whatsapp:+…`, or a chat identity. */
  customer: string;
  state: ConsoleConversationState;
  /** For `dead`: why the turn was given up (shown next to retry/skip). */
  deadLetterReason?: string;
  lastMessage: { role: ConsoleMessageRole; body: string | null; at: string } | null;
  /** ISO 8601; the list is sorted on it, newest first. */
  updatedAt: string;
  /** Whether the agent is working on a reply right now. */
  typing: boolean;
  /** For `human`: why, since when and what the person should know (the handoff summary). */
  handoff?: ConsoleHandoff;
}

/** A handoff as the operator sees it: the waiting queue's age counts from `since`. */
export interface ConsoleHandoff {
  reason: string;
  source: "agent" | "keyword" | "operator";
  /** A short summary of the conversation for the person taking over. */
  summary: string;
  /** ISO 8601: when the conversation went to a person. */
  since: string;
}

/** Who wrote a message, as the operator sees it. */
export type ConsoleMessageRole = "customer" | "agent" | "human";

/** An attachment; `url`, when present, must be fetchable by the operator's browser. */
export interface ConsoleMedia {
  contentType: string;
  filename?: string | null;
  url?: string;
}

/** One message in a transcript. */
export interface ConsoleMessage {
  /** The Twilio message `Index`, once Twilio has it (a queued reply may not yet). */
  index?: number;
  /**
   * For the agent's replies, which carry no `index` here: the `Index` of the message they
   * answer, so a transcript can place them right after it (`afterIndex + 0.5`).
   */
  afterIndex?: number;
  /** A stable id for messages without `index` (the agent's replies), so updates replace them. */
  id?: string;
  role: ConsoleMessageRole;
  author: string;
  body: string | null;
  media: ConsoleMedia[];
  /** ISO 8601. */
  at: string;
  /** Delivery or outbox status, e.g. `queued`, `sent`, `delivered`, `failed`. */
  status?: string;
}

/** A conversation and its messages in order. */
export interface ConsoleTranscript {
  conversation: ConsoleConversation;
  messages: ConsoleMessage[];
}

/** What a console subscription reports. */
export type ConsoleEvent =
  | { type: "conversation"; conversation: ConsoleConversation }
  | { type: "message"; conversationSid: string; message: ConsoleMessage }
  | { type: "typing"; conversationSid: string; on: boolean }
  | {
      type: "state";
      conversationSid: string;
      state: ConsoleConversationState;
      reason?: string;
    };
