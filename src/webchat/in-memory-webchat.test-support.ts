import { WebchatConversationClosedError } from "./webchat-conversation-closed-error.js";
import { WebchatConversationGoneError } from "./webchat-conversation-gone-error.js";
import type {
  WebchatChoice,
  WebchatDeps,
  WebchatEvent,
  WebchatMedia,
  WebchatMessage,
  WebchatRole,
} from "./webchat-deps.js";

interface Conversation {
  identity: string;
  messages: WebchatMessage[];
  closed: boolean;
  listeners: Set<(event: WebchatEvent) => void>;
}

/**
 * A working in-memory stand-in for the runtime behind the web chat API: conversations
 * with ordered messages, a record of every visitor send, and live events. Tests play the
 * agent through `reply`, `typing` and `close`.
 */
export class InMemoryWebchat implements WebchatDeps {
  readonly conversations = new Map<string, Conversation>();
  readonly sends: Array<{
    conversationSid: string;
    identity: string;
    text: string;
    choiceId?: string;
  }> = [];
  /** When set, the next `sendVisitorMessage` throws it (then it is cleared). */
  failNextSend: Error | undefined;
  /** When set, `history` throws it. */
  failHistory: Error | undefined;
  #next = 1;
  readonly #forgotten = new Set<string>();
  #clock = Date.UTC(2026, 10, 25, 9, 0, 0);

  async startConversation(identity: string): Promise<{ conversationSid: string }> {
    const conversationSid = `CH${(this.#next++).toString(16).padStart(32, "0")}`;
    this.conversations.set(conversationSid, {
      identity,
      messages: [],
      closed: false,
      listeners: new Set(),
    });
    return { conversationSid };
  }

  async sendVisitorMessage(input: {
    conversationSid: string;
    identity: string;
    text: string;
    choiceId?: string;
  }): Promise<{ messageSid: string; index: number }> {
    const failure = this.failNextSend;
    if (failure !== undefined) {
      this.failNextSend = undefined;
      throw failure;
    }
    const conversation = this.#get(input.conversationSid);
    if (conversation.closed) throw new WebchatConversationClosedError(input.conversationSid);
    this.sends.push(input);
    const message = this.#append(input.conversationSid, "visitor", input.identity, input.text);
    return {
      messageSid: `IM${message.index.toString(16).padStart(32, "0")}`,
      index: message.index,
    };
  }

  /** Files sent with `sendVisitorMedia`, by message index (their bytes for `readMedia`). */
  readonly files = new Map<
    string,
    { content: Uint8Array; contentType: string; filename?: string }
  >();

  async sendVisitorMedia(input: {
    conversationSid: string;
    identity: string;
    file: { content: Uint8Array; contentType: string; filename?: string };
  }): Promise<{ messageSid: string; index: number }> {
    const failure = this.failNextSend;
    if (failure !== undefined) {
      this.failNextSend = undefined;
      throw failure;
    }
    const conversation = this.#get(input.conversationSid);
    if (conversation.closed) throw new WebchatConversationClosedError(input.conversationSid);
    const message = this.#append(input.conversationSid, "visitor", input.identity, "", undefined, [
      {
        contentType: input.file.contentType,
        filename: input.file.filename ?? null,
        size: input.file.content.byteLength,
      },
    ]);
    this.files.set(`${input.conversationSid}/${message.index}`, input.file);
    return {
      messageSid: `IM${message.index.toString(16).padStart(32, "0")}`,
      index: message.index,
    };
  }

  async readMedia(
    conversationSid: string,
    index: number,
    position: number,
  ): Promise<{ contentType: string; body: AsyncIterable<Uint8Array> } | undefined> {
    this.#get(conversationSid);
    const file = position === 0 ? this.files.get(`${conversationSid}/${index}`) : undefined;
    if (file === undefined) return undefined;
    return {
      contentType: file.contentType,
      body: (async function* () {
        yield file.content;
      })(),
    };
  }

  async history(conversationSid: string, options: { after?: number }): Promise<WebchatMessage[]> {
    if (this.failHistory !== undefined) throw this.failHistory;
    const after = options.after ?? -1;
    return this.#get(conversationSid).messages.filter((message) => message.index > after);
  }

  subscribe(conversationSid: string, listener: (event: WebchatEvent) => void): () => void {
    const conversation = this.#get(conversationSid);
    conversation.listeners.add(listener);
    return () => conversation.listeners.delete(listener);
  }

  async isClosed(conversationSid: string): Promise<boolean> {
    return this.#get(conversationSid).closed;
  }

  /** The agent (or a person, with `role: "human"`) writes into the conversation. */
  reply(conversationSid: string, body: string, role: WebchatRole = "agent", author = "agent") {
    return this.#append(conversationSid, role, author, body);
  }

  /** The agent writes a message offering `choices` as buttons. */
  replyWithChoices(conversationSid: string, body: string, choices: WebchatChoice[]) {
    const message = this.#append(conversationSid, "agent", "agent", body, choices);
    return message;
  }

  /** The agent's typing indicator. */
  typing(conversationSid: string, on: boolean): void {
    this.#emit(conversationSid, { type: "typing", on });
  }

  close(conversationSid: string): void {
    this.#get(conversationSid).closed = true;
    this.#emit(conversationSid, { type: "state", closed: true });
  }

  listenerCount(conversationSid: string): number {
    return this.#get(conversationSid).listeners.size;
  }

  #append(
    conversationSid: string,
    role: WebchatRole,
    author: string,
    body: string,
    choices?: WebchatChoice[],
    media: WebchatMedia[] = [],
  ) {
    const conversation = this.#get(conversationSid);
    this.#clock += 1000;
    const message: WebchatMessage = {
      index: conversation.messages.length,
      author,
      body,
      media,
      dateCreated: new Date(this.#clock).toISOString(),
      role,
      ...(choices === undefined ? {} : { choices }),
    };
    conversation.messages.push(message);
    this.#emit(conversationSid, { type: "message", message });
    return message;
  }

  #emit(conversationSid: string, event: WebchatEvent) {
    for (const listener of this.#get(conversationSid).listeners) listener(event);
  }

  /** Forgets the conversation, as Twilio does when it is deleted: calls for it then fail gone. */
  forget(conversationSid: string): void {
    this.#get(conversationSid);
    this.conversations.delete(conversationSid);
    this.#forgotten.add(conversationSid);
  }

  #get(conversationSid: string): Conversation {
    if (this.#forgotten.has(conversationSid))
      throw new WebchatConversationGoneError(conversationSid);
    const conversation = this.conversations.get(conversationSid);
    if (conversation === undefined) throw new Error(`No conversation ${conversationSid}`);
    return conversation;
  }
}
