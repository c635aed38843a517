import { StreamOverflowError } from "../errors.js";

type Waiting<T> = {
  resolve: (result: IteratorResult<T>) => void;
  reject: (error: unknown) => void;
};

/**
 * One subscriber's stream: an async iterator fed by `push`, holding at most `capacity`
 * undelivered items. It never drops silently. The push that finds the buffer full discards
 * it and from then on only counts; the consumer's next `next()` rejects with
 * `StreamOverflowError`, whose `missed` is every item it will never see (the discarded
 * buffer, the one that did not fit and all pushed since), and the stream is over. Discarding
 * the stale buffer lets the consumer resynchronise from the REST API at once.
 */
export class BoundedStream<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #endCallbacks: (() => void)[] = [];
  #buffer: T[] = [];
  #waiting: Waiting<T> | undefined;
  /** Set once the buffer overflowed: how many items were lost so far. */
  #missed: number | undefined;
  #error: { value: unknown } | undefined;
  /** No more items will be accepted. */
  #done = false;
  #detached = false;

  /** `onEnd` runs once, when the stream stops accepting items (detach it there). */
  constructor(capacity: number, onEnd: () => void) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("bufferSize must be a positive integer");
    this.#capacity = capacity;
    this.#endCallbacks.push(onEnd);
  }

  push(item: T): void {
    if (this.#done) return;
    if (this.#missed !== undefined) {
      this.#missed += 1;
      return;
    }
    if (this.#waiting !== undefined) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
      return;
    }
    if (this.#buffer.length >= this.#capacity) {
      this.#missed = this.#buffer.length + 1;
      this.#buffer = [];
      return;
    }
    this.#buffer.push(item);
  }

  /**
   * Ends the stream without an error of its own: after the consumer has taken what is
   * buffered (`drain`, the default; an overflow is still reported), or at once (an abort:
   * nothing more is reported).
   */
  end(drain = true): void {
    if (this.#done) return;
    if (!drain) {
      this.#buffer = [];
      this.#missed = undefined;
    }
    this.#finish();
  }

  /** Ends the stream with `error`, dropping what is buffered. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#buffer = [];
    this.#missed = undefined;
    this.#error = { value: error };
    this.#finish();
  }

  /** Runs `callback` once the stream takes no more items (at once if it already doesn't). */
  onEnd(callback: () => void): void {
    if (this.#detached) callback();
    else this.#endCallbacks.push(callback);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0)
      return Promise.resolve({ value: this.#buffer.shift() as T, done: false });
    if (this.#waiting !== undefined)
      return Promise.reject(
        new Error("BoundedStream: next() called before the previous one settled"),
      );
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#settle();
    });
  }

  /** The consumer stopped early (`break` in `for await`): detach and end. */
  return(): Promise<IteratorResult<T>> {
    this.#buffer = [];
    this.#missed = undefined;
    this.#error = undefined;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #finish(): void {
    this.#done = true;
    this.#detach();
    this.#settle();
  }

  /** Answers a waiting `next()` if the stream has something final to say. */
  #settle(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (this.#missed !== undefined) {
      const missed = this.#missed;
      this.#missed = undefined;
      this.#waiting = undefined;
      this.#done = true;
      this.#detach();
      waiting.reject(new StreamOverflowError(missed));
      return;
    }
    if (!this.#done) return;
    this.#waiting = undefined;
    const error = this.#error;
    this.#error = undefined;
    if (error !== undefined) waiting.reject(error.value);
    else waiting.resolve({ value: undefined, done: true });
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    for (const callback of this.#endCallbacks.splice(0)) callback();
  }
}
