import type {
  ConsoleChannel,
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleDelivery,
  ConsoleDeps,
  ConsoleEvent,
  ConsoleInfo,
  ConsoleMessage,
  ConsoleMessageRole,
  ConsoleRefusedMessage,
  ConsoleTranscript,
} from "./console-deps.js";
import { ConsoleConflictError, ConsoleNotFoundError } from "./console-errors.js";

/**
 * A working in-memory stand-in for the runtime behind the console: conversations keyed by
 * customer, ordered messages, handoff and dead-letter state, and live events. It records
 * every operator action; tests play the agent through `typing`, `agentReply` and
 * `deadLetter`.
 */
export class InMemoryConsole implements ConsoleDeps {
  readonly conversations = new Map<
    string,
    { conversation: ConsoleConversation; messages: ConsoleMessage[] }
  >();
  readonly actions: string[] = [];
  readonly listeners = new Set<(event: ConsoleEvent) => void>();
  sendAsCustomer?: NonNullable<ConsoleDeps["sendAsCustomer"]>;
  #info: ConsoleInfo;
  #next = 1;
  #clock = Date.now() - 60_000;

  constructor(info: Partial<ConsoleInfo> = {}) {
    this.#info = {
      mode: "dev",
      inspectorUrl: "http://127.0.0.1:3000/_emulator/",
      channels: ["sms", "whatsapp", "chat"],
      numbers: { sms: "+15005550006", whatsapp: "whatsapp:+14155238886" },
      ...info,
    };
    if (this.#info.mode === "dev") {
      this.sendAsCustomer = async (input) => {
        this.actions.push(`send ${input.channel} ${input.from} ${input.text}`);
        const sid = this.#conversationFor(input.channel, input.from);
        const message = this.#append(sid, "customer", input.from, input.text);
        return { conversationSid: sid, messageSid: `IM${String(message.index).padStart(32, "0")}` };
      };
    }
  }

  info(): ConsoleInfo {
    return this.#info;
  }

  async listConversations(): Promise<ConsoleConversation[]> {
    return [...this.conversations.values()].map((entry) => ({ ...entry.conversation }));
  }

  async transcript(conversationSid: string): Promise<ConsoleTranscript | undefined> {
    const entry = this.conversations.get(conversationSid);
    if (entry === undefined) return undefined;
    return { conversation: { ...entry.conversation }, messages: [...entry.messages] };
  }

  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async setHandoff(conversationSid: string, on: boolean): Promise<void> {
    this.#get(conversationSid);
    this.actions.push(`handoff ${conversationSid} ${on}`);
    this.#setState(conversationSid, on ? "human" : "bot");
  }

  async replyAsHuman(conversationSid: string, text: string): Promise<{ messageSid?: string }> {
    const entry = this.#get(conversationSid);
    if (entry.conversation.state === "gone")
      throw new ConsoleConflictError("conversation_gone", "This conversation no longer exists.");
    if (entry.conversation.state !== "human") {
      throw new ConsoleConflictError(
        "not_handed_off",
        "Take the conversation over before replying as a person.",
      );
    }
    this.actions.push(`reply ${conversationSid} ${text}`);
    const message = this.#append(conversationSid, "human", "operator", text);
    return { messageSid: `IM${String(message.index).padStart(32, "0")}` };
  }

  /** What `refusedMessages` reports, most recent first; `refuse` adds to it. */
  readonly refused: ConsoleRefusedMessage[] = [];

  async refusedMessages(): Promise<ConsoleRefusedMessage[]> {
    return [...this.refused];
  }

  /** A message the mailbox refused for good arrives: listed first, announced live. */
  refuse(message: ConsoleRefusedMessage): void {
    this.refused.unshift(message);
    this.#emit({
      type: "refused",
      conversationSid: message.conversationSid,
      messageSid: message.messageSid,
    });
  }

  async retryDeadLetter(conversationSid: string): Promise<void> {
    this.#requireDead(conversationSid);
    this.actions.push(`retry ${conversationSid}`);
    this.#setState(conversationSid, "bot");
  }

  async skipDeadLetter(conversationSid: string): Promise<void> {
    this.#requireDead(conversationSid);
    this.actions.push(`skip ${conversationSid}`);
    this.#setState(conversationSid, "bot");
  }

  // ---- the test plays the agent ----

  typing(conversationSid: string, on: boolean): void {
    this.#get(conversationSid).conversation.typing = on;
    this.#emit({ type: "typing", conversationSid, on });
  }

  agentReply(conversationSid: string, body: string): ConsoleMessage {
    this.#get(conversationSid).conversation.typing = false;
    return this.#append(conversationSid, "agent", "agent", body);
  }

  /** A delivery receipt for the message at `index` arrives: resent live with its status. */
  deliver(conversationSid: string, index: number, delivery: ConsoleDelivery): void {
    const entry = this.#get(conversationSid);
    const position = entry.messages.findIndex((message) => message.index === index);
    const message = { ...entry.messages[position]!, delivery };
    entry.messages[position] = message;
    this.#emit({ type: "message", conversationSid, message });
  }

  deadLetter(conversationSid: string, reason: string): void {
    const entry = this.#get(conversationSid);
    entry.conversation.deadLetterReason = reason;
    entry.conversation.typing = false;
    this.#setState(conversationSid, "dead", reason);
  }

  /** Twilio forgot the conversation (deleted, or the emulator lost it). */
  gone(conversationSid: string, reason: string): void {
    const entry = this.#get(conversationSid);
    entry.conversation.goneReason = reason;
    entry.conversation.typing = false;
    this.#setState(conversationSid, "gone", reason);
  }

  /** Attachments' bytes by `sid:index:position` (see `attach`). */
  readonly mediaBytes = new Map<
    string,
    { contentType: string; filename: string | null; bytes: Uint8Array }
  >();

  /** Gives the customer message with `Index` `index` these attachments (and their bytes). */
  attach(
    conversationSid: string,
    index: number,
    files: Array<{ contentType: string; filename?: string; bytes: Uint8Array }>,
  ): void {
    const message = this.#get(conversationSid).messages.find((item) => item.index === index);
    if (message === undefined) throw new Error(`no message ${index} in ${conversationSid}`);
    message.media = files.map((file) => ({
      contentType: file.contentType,
      filename: file.filename ?? null,
    }));
    files.forEach((file, position) => {
      this.mediaBytes.set(`${conversationSid}:${index}:${position}`, {
        contentType: file.contentType,
        filename: file.filename ?? null,
        bytes: file.bytes,
      });
    });
  }

  async readMedia(conversationSid: string, index: number, position: number) {
    const found = this.mediaBytes.get(`${conversationSid}:${index}:${position}`);
    if (found === undefined) return undefined;
    this.actions.push(`media ${conversationSid} ${index} ${position}`);
    return { contentType: found.contentType, filename: found.filename, body: found.bytes };
  }

  /** Adds a conversation directly (history from before the console opened). */
  seed(
    channel: ConsoleChannel,
    customer: string,
    messages: Array<[ConsoleMessageRole, string]>,
  ): string {
    const sid = this.#conversationFor(channel, customer);
    for (const [role, body] of messages)
      this.#append(sid, role, role === "customer" ? customer : role, body);
    return sid;
  }

  #conversationFor(channel: ConsoleChannel, customer: string): string {
    for (const [sid, entry] of this.conversations) {
      if (entry.conversation.customer === customer) return sid;
    }
    const sid = `CH${(this.#next++).toString(16).padStart(32, "0")}`;
    this.conversations.set(sid, {
      conversation: {
        sid,
        channel,
        customer,
        state: "bot",
        lastMessage: null,
        updatedAt: this.#now(),
        typing: false,
      },
      messages: [],
    });
    this.#emitConversation(sid);
    return sid;
  }

  #append(sid: string, role: ConsoleMessageRole, author: string, body: string): ConsoleMessage {
    const entry = this.#get(sid);
    const at = this.#now();
    const index = entry.messages.length;
    // Like the runtime's view: the agent's replies come from the outbox, with no index but
    // the index of the message they answer.
    const message: ConsoleMessage =
      role === "agent"
        ? {
            id: `reply-${index}`,
            afterIndex: entry.messages.findLast((item) => item.index !== undefined)?.index ?? -1,
            role,
            author,
            body,
            media: [],
            at,
          }
        : {
            index,
            role,
            author,
            body,
            media: [],
            at,
            // Like the mailbox: a customer's message while a person holds the conversation
            // is recorded for that person, and the bot never takes a turn on it.
            ...(role === "customer" && entry.conversation.state === "human"
              ? { status: "handoff" }
              : {}),
            // Like the runtime: a person's message went out through Twilio, receipts pending.
            ...(role === "human" ? { delivery: { status: "queued" as const } } : {}),
          };
    entry.messages.push(message);
    entry.conversation.lastMessage = { role, body, at };
    entry.conversation.updatedAt = at;
    this.#emit({ type: "message", conversationSid: sid, message });
    this.#emitConversation(sid);
    return message;
  }

  #setState(sid: string, state: ConsoleConversationState, reason?: string) {
    const entry = this.#get(sid);
    entry.conversation.state = state;
    if (state !== "dead") delete entry.conversation.deadLetterReason;
    this.#emit({
      type: "state",
      conversationSid: sid,
      state,
      ...(reason === undefined ? {} : { reason }),
    });
    this.#emitConversation(sid);
  }

  #requireDead(sid: string) {
    if (this.#get(sid).conversation.state !== "dead") {
      throw new ConsoleConflictError(
        "no_dead_letter",
        "Nothing is dead-lettered in this conversation.",
      );
    }
  }

  #emitConversation(sid: string) {
    this.#emit({ type: "conversation", conversation: { ...this.#get(sid).conversation } });
  }

  #emit(event: ConsoleEvent) {
    for (const listener of this.listeners) listener(event);
  }

  #now(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  #get(sid: string) {
    const entry = this.conversations.get(sid);
    if (entry === undefined) throw new ConsoleNotFoundError(sid);
    return entry;
  }
}
