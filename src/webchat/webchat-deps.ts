/**
 * What the web chat API needs from the rest of switchboard. The API itself holds no
 * business rules: it authenticates visitors, validates and rate-limits their input, and
 * streams what these functions report. The lead wires them to the runtime and the
 * `TwilioProvider`; tests wire them to an in-memory conversation list.
 *
 * Every function may throw. A `SwitchboardError` with code `conversation_closed` becomes a
 * 409 for the visitor; `conversation_gone` (`WebchatConversationGoneError`: Twilio no longer
 * has the conversation) moves the visitor to a fresh conversation; anything else becomes a
 * 500 with a generic message (and is logged).
 */
export interface WebchatDeps {
  /**
   * Creates a conversation for a new visitor and adds `identity` to it as a chat
   * participant (Twilio: create the conversation with the service's webhooks, then add the
   * participant with `Identity`). Called once per visitor session that has no open
   * conversation yet.
   */
  startConversation(identity: string): Promise<{ conversationSid: string }>;

  /**
   * Posts the visitor's text into the conversation as their chat participant, through the
   * Conversations REST API with `X-Twilio-Webhook-Enabled: true`, so the message reaches
   * switchboard's webhook and flows through the same pipeline as SMS. Returns the new
   * message's SID and `Index`. Throw `WebchatConversationClosedError` (or any
   * `SwitchboardError` with code `conversation_closed`) when Twilio refuses because the
   * conversation is closed.
   */
  sendVisitorMessage(input: {
    conversationSid: string;
    identity: string;
    text: string;
    /** The option a tapped button picked (`WebchatChoice.id`); `text` is its title. */
    choiceId?: string;
  }): Promise<{ messageSid: string; index: number }>;

  /**
   * The conversation's messages with `index > after` (all of them when `after` is
   * undefined), in index order. The API sends them when a stream opens, so a reconnecting
   * widget resumes exactly where it stopped.
   */
  history(conversationSid: string, options: { after?: number }): Promise<WebchatMessage[]>;

  /**
   * Calls `listener` for everything that happens in the conversation from now on: new
   * messages (the visitor's own included), the agent's typing indicator, and closing.
   * Returns the function that stops it. The listener must be called synchronously-safe:
   * it never throws and never blocks.
   */
  subscribe(conversationSid: string, listener: (event: WebchatEvent) => void): () => void;

  /** Whether the conversation is closed (a closed conversation takes no more messages). */
  isClosed(conversationSid: string): Promise<boolean>;

  /**
   * Optional: posts a file the visitor attached into the conversation as their chat
   * participant — on Twilio, uploaded to the media service, then a message with its
   * `MediaSid` and webhooks enabled, so it reaches the agent as the same media part as a
   * WhatsApp photo. The API has checked its size, type and contents. Without it the web
   * chat takes no uploads. Errors as for `sendVisitorMessage`.
   */
  sendVisitorMedia?(input: {
    conversationSid: string;
    identity: string;
    file: { content: Uint8Array; contentType: string; filename?: string };
  }): Promise<{ messageSid: string; index: number }>;

  /**
   * Optional: the bytes of a message's media item (`position` in its `media`), for the
   * visitor's widget to show; `undefined` when the conversation has no such item. Only
   * the visitor's own conversation is ever asked for.
   */
  readMedia?(
    conversationSid: string,
    index: number,
    position: number,
    signal: AbortSignal,
  ): Promise<{ contentType: string; body: AsyncIterable<Uint8Array> } | undefined>;
}

/** Who wrote a message, as the visitor sees it. */
export type WebchatRole = "visitor" | "agent" | "human";

/** One attachment. `url`, when present, must be fetchable by the visitor's browser. */
export interface WebchatMedia {
  contentType: string;
  filename?: string | null;
  size?: number;
  url?: string;
}

/** One message as the widget renders it; `index` is the conversation's message `Index`. */
export interface WebchatMessage {
  index: number;
  /** The author as Twilio records it (the visitor's identity, `agent`, a person's name…). */
  author: string;
  body: string | null;
  media: WebchatMedia[];
  /** ISO 8601. */
  dateCreated: string;
  role: WebchatRole;
  /** Options an agent message offers: the widget shows them as buttons. */
  choices?: WebchatChoice[];
}

/** One option offered as a button; a tap sends its title with its id. */
export interface WebchatChoice {
  id: string;
  title: string;
  description?: string;
}

/** What a conversation subscription reports. */
export type WebchatEvent =
  | { type: "message"; message: WebchatMessage }
  | { type: "typing"; on: boolean }
  | { type: "state"; closed: boolean };
