import type { Channel } from "../channel/channel.js";
/**
 * What the dev console needs from the rest of switchboard. The console is a thin face: it
 * authenticates the operator, validates input, and shows what these functions report. The
 * lead wires them to the runtime (conversations, handoff, dead letters), the mailbox
 * (transcripts) and, in dev mode, the emulator (writing as a customer).
 *
 * Functions may throw `ConsoleNotFoundError` (→ 404) or `ConsoleConflictError` (→ 409, e.g.
 * retrying a conversation that has no dead letter), or any `SwitchboardError` with code
 * `conversation_not_found` / `conversation_closed` / `conversation_gone` / `no_dead_letter`;
 * anything else
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
    /** Chat only: write in this conversation (absent: a new one). */
    conversationSid?: string;
  }): Promise<{ conversationSid?: string; messageSid?: string }>;

  /** `on`: a person takes the conversation (the agent stops answering); `off`: hand back. */
  setHandoff(conversationSid: string, on: boolean): Promise<void>;

  /**
   * Sends `text` into the conversation as a person (the operator), not as the agent. Throws
   * `ConsoleConflictError` with code `conversation_gone` (→ 409) when Twilio no longer has
   * the conversation.
   */
  replyAsHuman(conversationSid: string, text: string): Promise<{ messageSid?: string }>;

  /** Runs the dead-lettered turn again. */
  retryDeadLetter(conversationSid: string): Promise<void>;

  /** Drops the dead-lettered turn so the conversation moves on. */
  skipDeadLetter(conversationSid: string): Promise<void>;

  /**
   * An operator opts the conversation's customer out (nothing is sent to them, the agent
   * stays silent) or back in. Absent: the console offers no consent buttons.
   */
  setConsent?(conversationSid: string, state: ConsoleConsentState): Promise<void>;

  /**
   * Sends the configured WhatsApp template into the conversation (what an operator does
   * when the 24-hour window is closed). Throws `ConsoleConflictError` when none is configured.
   */
  sendTemplate?(conversationSid: string): Promise<{ replyId: string }>;

  /**
   * Signed messages that could never be stored (too large, malformed), most recent first:
   * what the console shows so none is lost silently. Absent: the console shows none.
   */
  refusedMessages?(): Promise<ConsoleRefusedMessage[]>;

  /**
   * The bytes of one attachment of a stored message: the message with `Index` `index`,
   * its `media[position]`. `undefined` when the conversation, message or item is unknown
   * (→ 404). Absent: the console cannot open attachments (every read is a 404).
   */
  readMedia?(
    conversationSid: string,
    index: number,
    position: number,
    signal: AbortSignal,
  ): Promise<ConsoleMediaBytes | undefined>;
}

/** An attachment's bytes as `readMedia` answers them. */
export interface ConsoleMediaBytes {
  contentType: string;
  filename?: string | null;
  body: Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * A message Twilio delivered that the mailbox refused for good (an inbound dead letter):
 * its summary only — never the body, and the author masked.
 */
export interface ConsoleRefusedMessage {
  conversationSid: string;
  messageSid: string;
  /** Masked, e.g. `+1555***0001`. */
  author: string;
  /** What was refused, e.g. `body` or `attributes`. */
  field: string;
  reason: string;
  /** The refused body's length in characters. */
  bodyLength: number;
  /** ISO 8601. */
  at: string;
}

/** A customer address's consent. */
export type ConsoleConsentState = "opted-out" | "opted-in";

/** The consent ledger's entry for a conversation's customer. */
export interface ConsoleConsent {
  state: ConsoleConsentState;
  /** `keyword` (STOP, START, a WhatsApp phrase), `twilio-21610`, or `operator`. */
  reason: string;
  detail?: string;
  /** ISO 8601. */
  at: string;
}

/** WhatsApp's 24-hour window, as the reply box needs it before sending. */
export interface ConsoleWhatsAppWindow {
  /** Whether free text can reach the customer now. */
  open: boolean;
  /** ISO 8601: when it closes (or closed); absent before the customer ever wrote. */
  closesAt?: string;
  /** Whether a template is configured to send instead of free text. */
  templateAvailable: boolean;
}

/** A delivery failure explained for the operator. */
export interface ConsoleFailure {
  /** Twilio's error code, when there is one. */
  code?: number;
  /** A few words, e.g. "Outside WhatsApp's 24-hour window". */
  title: string;
  /** One plain sentence saying what happened. */
  explanation: string;
  /** What the operator can do, e.g. "Send an approved template". */
  action: string;
  docsUrl?: string;
}

/**
 * Where one of our messages stands: `pending` (waiting to be sent), `retrying` (a try failed;
 * `attempts` and `lastError` say how often and why), `sending`, `queued` (Twilio accepted it,
 * no receipt yet), then `sent` → `delivered` → `read` from receipts, or `failed` /
 * `undelivered` with `failure` explaining it.
 */
export interface ConsoleDelivery {
  status:
    | "pending"
    | "retrying"
    | "sending"
    | "queued"
    | "sent"
    | "delivered"
    | "read"
    | "failed"
    | "undelivered";
  attempts?: number;
  lastError?: string;
  failure?: ConsoleFailure;
}

/** The channels a conversation's customer can be on. */
export type ConsoleChannel = Channel;

/**
 * Who answers: the agent, a person (after a handoff), or nobody until an operator acts
 * (`dead`); `gone`: Twilio no longer has the conversation (deleted in the Twilio console, or
 * the dev emulator lost it), so nobody can answer it any more.
 */
export type ConsoleConversationState = "bot" | "human" | "dead" | "gone";

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
  /** For `gone`: what Twilio answered when it was found missing. */
  goneReason?: string;
  lastMessage: { role: ConsoleMessageRole; body: string | null; at: string } | null;
  /** ISO 8601; the list is sorted on it, newest first. */
  updatedAt: string;
  /** Whether the agent is working on a reply right now. */
  typing: boolean;
  /** SMS/WhatsApp: the customer's consent, once it ever changed (absent: never opted out). */
  consent?: ConsoleConsent;
  /** WhatsApp only: the 24-hour window. */
  whatsappWindow?: ConsoleWhatsAppWindow;
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
  /** A voice note's transcript, once the agent transcribed it. */
  transcript?: string;
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
  /** Our replies: where the message stands and, on failure, why and what to do. */
  delivery?: ConsoleDelivery;
  /**
   * Customer messages the agent did not answer because of consent: `keyword` (STOP, START,
   * HELP…) or `opted-out` (written while opted out).
   */
  consent?: "keyword" | "opted-out";
  /** An SMS reply's encoding and the segments it costs (what the carrier bills). */
  sms?: { encoding: "GSM-7" | "UCS-2"; segments: number };
  /**
   * The options an agent reply offered (buttons, a list, numbered lines): in dev mode the
   * console shows them as buttons that answer as the customer would.
   */
  choices?: ConsoleChoice[];
}

/** One option a reply offered. */
export interface ConsoleChoice {
  id: string;
  title: string;
  description?: string;
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
    }
  /** A new refused message (see `refusedMessages`): the page reloads that list. */
  | { type: "refused"; conversationSid: string; messageSid: string };
