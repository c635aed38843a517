import type {
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleMessage,
} from "../console-deps.js";
import { mergeMessage } from "./transcript-order.js";

/** How many recent live messages are kept to lay over a snapshot that was in flight. */
const keptMessages = 200;

/**
 * What the live stream said while a snapshot (`GET /api/conversations…`) was in flight.
 *
 * A snapshot is read when its request is served; a stream event that arrives after the
 * request was sent may be newer than it ("typing" right after a send, a reply). Applying
 * the snapshot as it is would undo that event until the next one, so the page lays the
 * newer live events back over it.
 */
export class LiveOverlay {
  #seq = 0;
  readonly #typing = new Map<string, { seq: number; on: boolean }>();
  readonly #states = new Map<
    string,
    { seq: number; state: ConsoleConversationState; reason: string | undefined }
  >();
  #messages: Array<{ seq: number; conversationSid: string; message: ConsoleMessage }> = [];

  /** A mark to take just before a snapshot request; pass it to `conversation`/`messages`. */
  mark(): number {
    return this.#seq;
  }

  typing(conversationSid: string, on: boolean): void {
    this.#typing.set(conversationSid, { seq: ++this.#seq, on });
  }

  /** A state change (take-over, hand-back, dead letter, gone) with its reason, if any. */
  state(conversationSid: string, state: ConsoleConversationState, reason?: string): void {
    this.#states.set(conversationSid, { seq: ++this.#seq, state, reason });
  }

  message(conversationSid: string, message: ConsoleMessage): void {
    this.#messages.push({ seq: ++this.#seq, conversationSid, message });
    if (this.#messages.length > keptMessages) this.#messages = this.#messages.slice(-keptMessages);
  }

  /** The snapshot's conversation, with typing and state events newer than `mark` over it. */
  conversation(snapshot: ConsoleConversation, mark: number): ConsoleConversation {
    let conversation = snapshot;
    const typing = this.#typing.get(snapshot.sid);
    if (typing !== undefined && typing.seq > mark)
      conversation = { ...conversation, typing: typing.on };
    const changed = this.#states.get(snapshot.sid);
    if (changed !== undefined && changed.seq > mark) {
      conversation = { ...conversation, state: changed.state };
      if (changed.reason !== undefined && changed.state === "gone")
        conversation.goneReason = changed.reason;
      else if (changed.reason !== undefined) conversation.deadLetterReason = changed.reason;
    }
    return conversation;
  }

  /** The snapshot's messages, with the live messages newer than `mark` merged in. */
  messages(
    conversationSid: string,
    snapshot: readonly ConsoleMessage[],
    mark: number,
  ): ConsoleMessage[] {
    let messages = snapshot.slice();
    for (const entry of this.#messages) {
      if (entry.seq > mark && entry.conversationSid === conversationSid)
        messages = mergeMessage(messages, entry.message);
    }
    return messages;
  }
}
