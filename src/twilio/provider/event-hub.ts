import type { WebhookEvent, WebhookEventType } from "../webhook/event-types.js";
import { BoundedStream } from "./bounded-stream.js";
import { messageFromWebhook } from "./map-resources.js";
import type { TwilioMessage } from "./provider-types.js";

/** A listener for `provider.on(type, …)`; may be async (`handleWebhook` awaits it). */
export type WebhookListener<T extends WebhookEvent = WebhookEvent> = (event: T) => unknown;

/** How many recent message SIDs per conversation are remembered to drop webhook retries. */
const rememberedMessages = 1000;

/**
 * Fans every webhook event out to its subscribers: one `BoundedStream` per
 * `receiveMessages` / `events` call (each gets every item; none compete), and listeners.
 */
export class EventHub {
  readonly #messageStreams = new Map<string, Set<BoundedStream<TwilioMessage>>>();
  readonly #eventStreams = new Set<BoundedStream<WebhookEvent>>();
  readonly #listeners = new Map<WebhookEventType | "*", Set<WebhookListener>>();
  /** Recently delivered message SIDs per conversation: Twilio retries webhooks. */
  readonly #seen = new Map<string, Set<string>>();
  #ended = false;

  messages(
    conversationId: string,
    bufferSize: number,
    signal?: AbortSignal,
  ): BoundedStream<TwilioMessage> {
    const streams = this.#messageStreams.get(conversationId) ?? new Set();
    this.#messageStreams.set(conversationId, streams);
    const stream = new BoundedStream<TwilioMessage>(bufferSize, () => {
      streams.delete(stream);
      if (streams.size === 0 && this.#messageStreams.get(conversationId) === streams) {
        this.#messageStreams.delete(conversationId);
        this.#seen.delete(conversationId);
      }
    });
    return this.#attach(stream, streams, signal);
  }

  events(bufferSize: number, signal?: AbortSignal): BoundedStream<WebhookEvent> {
    const stream = new BoundedStream<WebhookEvent>(bufferSize, () =>
      this.#eventStreams.delete(stream),
    );
    return this.#attach(stream, this.#eventStreams, signal);
  }

  on(type: WebhookEventType | "*", listener: WebhookListener): () => void {
    const listeners = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  /**
   * Delivers one event: to every event stream, to the conversation's message streams (for
   * `message.new`, once per message SID), ends the conversation's streams when it closes,
   * then runs the listeners and rejects if any of them failed (after all have run).
   */
  async dispatch(event: WebhookEvent): Promise<void> {
    if (this.#ended) return;
    for (const stream of [...this.#eventStreams]) stream.push(event);

    const conversationId = event.conversationId;
    if (conversationId !== undefined) {
      const streams = this.#messageStreams.get(conversationId);
      // Dedupe only while someone listens, so memory follows the subscribers.
      if (
        event.type === "message.new" &&
        streams !== undefined &&
        this.#firstTime(conversationId, event.data.messageSid)
      ) {
        const message = messageFromWebhook(conversationId, event.data, event.source);
        for (const stream of [...streams]) stream.push(message);
      }
      if (closes(event)) this.endConversation(conversationId);
    }

    const listeners = [
      ...(this.#listeners.get(event.type) ?? []),
      ...(this.#listeners.get("*") ?? []),
    ];
    const outcomes = await Promise.allSettled(listeners.map(async (listener) => listener(event)));
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason] : [],
    );
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(
        failures,
        `${failures.length} webhook listeners failed for ${event.type}`,
      );
  }

  /** Ends the conversation's message streams (closed or deleted). */
  endConversation(conversationId: string): void {
    for (const stream of [...(this.#messageStreams.get(conversationId) ?? [])]) stream.end();
    this.#seen.delete(conversationId);
  }

  /** Ends every stream and stops accepting events (`provider.stop()`). */
  end(): void {
    this.#ended = true;
    for (const streams of [...this.#messageStreams.values()])
      for (const stream of [...streams]) stream.end();
    for (const stream of [...this.#eventStreams]) stream.end();
    this.#listeners.clear();
    this.#seen.clear();
  }

  #attach<T>(
    stream: BoundedStream<T>,
    set: Set<BoundedStream<T>>,
    signal: AbortSignal | undefined,
  ) {
    if (this.#ended || signal?.aborted) {
      stream.end(false);
      return stream;
    }
    set.add(stream);
    if (signal !== undefined) {
      const onAbort = () => stream.end(false);
      signal.addEventListener("abort", onAbort, { once: true });
      // Forget the listener once the stream ends some other way, so long-lived signals don't leak.
      stream.onEnd(() => signal.removeEventListener("abort", onAbort));
    }
    return stream;
  }

  #firstTime(conversationId: string, messageSid: string): boolean {
    const seen = this.#seen.get(conversationId) ?? new Set<string>();
    this.#seen.set(conversationId, seen);
    if (seen.has(messageSid)) return false;
    seen.add(messageSid);
    if (seen.size > rememberedMessages) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  }
}

function closes(event: WebhookEvent): boolean {
  switch (event.type) {
    case "conversation.removed":
      return true;
    case "conversation.state_updated":
      return event.data.stateTo === "closed";
    case "conversation.updated":
      return event.data.state === "closed";
    default:
      return false;
  }
}
