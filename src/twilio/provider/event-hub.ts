import type { Channel } from "../channels/address.js";
import type { WebhookEvent, WebhookEventType } from "../webhook/event-types.js";
import { BoundedStream } from "./bounded-stream.js";
import { messageFromWebhook } from "./map-resources.js";
import type { TwilioMessage } from "./provider-types.js";

/** A listener for `provider.on(type, …)`; may be async (`handleWebhook` awaits it). */
export type WebhookListener<T extends WebhookEvent = WebhookEvent> = (event: T) => unknown;

/** How many recent message SIDs are remembered to drop webhook retries. */
const rememberedMessages = 10_000;

/** An insertion-ordered set forgetting its oldest entries beyond a capacity. */
class RecentSet {
  readonly #items = new Set<string>();
  constructor(readonly capacity: number) {}
  has(item: string): boolean {
    return this.#items.has(item);
  }
  add(item: string): void {
    this.#items.add(item);
    if (this.#items.size > this.capacity) {
      const oldest = this.#items.values().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
  }
  clear(): void {
    this.#items.clear();
  }
}

/**
 * Fans every webhook event out to its subscribers: one `BoundedStream` per
 * `receiveMessages` / `events` call (each gets every item; none compete), and listeners.
 *
 * Twilio retries a webhook it got no 2xx for, so one `message.new` may arrive several
 * times. Streams see a message SID once. Listeners see it until one delivery was handled
 * without a listener failing (a failure answers 500 so Twilio retries); after that,
 * repeated deliveries are dropped for every subscriber.
 */
export class EventHub {
  readonly #messageStreams = new Map<string, Set<BoundedStream<TwilioMessage>>>();
  readonly #eventStreams = new Set<BoundedStream<WebhookEvent>>();
  readonly #listeners = new Map<WebhookEventType | "*", Set<WebhookListener>>();
  /** Message SIDs already pushed to the streams. */
  readonly #streamed = new RecentSet(rememberedMessages);
  /** Message SIDs whose delivery every listener handled. */
  readonly #handled = new RecentSet(rememberedMessages);
  #ended = false;
  readonly #channelOf: (conversationId: string) => Channel | undefined;

  /**
   * `channelOf` answers a conversation's channel from what is already known (a cached
   * participant list) without waiting; `undefined` when nothing is known.
   */
  constructor(channelOf: (conversationId: string) => Channel | undefined = () => undefined) {
    this.#channelOf = channelOf;
  }

  messages(
    conversationId: string,
    bufferSize: number,
    signal?: AbortSignal,
  ): BoundedStream<TwilioMessage> {
    const streams = this.#messageStreams.get(conversationId) ?? new Set();
    this.#messageStreams.set(conversationId, streams);
    const stream = new BoundedStream<TwilioMessage>(bufferSize, () => {
      streams.delete(stream);
      if (streams.size === 0 && this.#messageStreams.get(conversationId) === streams)
        this.#messageStreams.delete(conversationId);
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
   * Delivers one event: to every event stream and, for `message.new`, to the
   * conversation's message streams (once per message SID); ends the conversation's
   * streams when it closes; then runs the listeners and rejects if any of them failed
   * (after all have run). A `message.new` already handled is dropped entirely.
   */
  async dispatch(event: WebhookEvent): Promise<void> {
    if (this.#ended) return;
    const messageSid = event.type === "message.new" ? event.data.messageSid : undefined;
    if (messageSid !== undefined && this.#handled.has(messageSid)) return;
    const firstTime = messageSid === undefined || !this.#streamed.has(messageSid);
    if (messageSid !== undefined) this.#streamed.add(messageSid);

    if (firstTime) for (const stream of [...this.#eventStreams]) stream.push(event);
    const conversationId = event.conversationId;
    if (conversationId !== undefined) {
      const streams = this.#messageStreams.get(conversationId);
      if (event.type === "message.new" && streams !== undefined && firstTime) {
        const message = messageFromWebhook(
          conversationId,
          event.data,
          event.source,
          this.#channelOf(conversationId),
        );
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
    if (failures.length === 0) {
      if (messageSid !== undefined) this.#handled.add(messageSid);
      return;
    }
    if (failures.length === 1) throw failures[0];
    throw new AggregateError(
      failures,
      `${failures.length} webhook listeners failed for ${event.type}`,
    );
  }

  /** Ends the conversation's message streams (closed or deleted). */
  endConversation(conversationId: string): void {
    for (const stream of [...(this.#messageStreams.get(conversationId) ?? [])]) stream.end();
  }

  /** Ends every stream and stops accepting events (`provider.stop()`). */
  end(): void {
    this.#ended = true;
    for (const streams of [...this.#messageStreams.values()])
      for (const stream of [...streams]) stream.end();
    for (const stream of [...this.#eventStreams]) stream.end();
    this.#listeners.clear();
    this.#streamed.clear();
    this.#handled.clear();
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
