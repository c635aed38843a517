/**
 * A map that keeps at most `capacity` entries, dropping the least recently used. Keys are
 * copied when stored: a key cut from a request body (a V8 sliced string) would otherwise keep
 * the whole body alive for as long as the entry lives.
 */
export class BoundedCache<Value> {
  readonly #entries = new Map<string, Value>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`BoundedCache capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marked as recently used. */
  get(key: string): Value | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: string, value: Value): void {
    if (!this.#entries.delete(key)) key = detachString(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/**
 * A copy of `text` that shares no memory with the string it came from (a substring of a large
 * string may be a view that keeps all of it alive).
 */
export function detachString(text: string): string {
  return text.length === 0 ? text : Buffer.from(text, "utf8").toString("utf8");
}
