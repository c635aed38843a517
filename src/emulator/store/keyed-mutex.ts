/**
 * Serialises async work per key. The emulator checks uniqueness (Address+ProxyAddress
 * pair, unique name, identity) and then awaits a pre-event webhook before inserting;
 * without a lock two concurrent requests could both pass the check. Keys are taken in
 * sorted order so two callers needing overlapping keys cannot deadlock.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` while holding every key in `keys` (an empty list runs it at once). */
  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.#acquire(key));
      return await task();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** How many keys are currently held or awaited (zero when idle; for tests). */
  get size(): number {
    return this.#tails.size;
  }

  async #acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}

/** Lock key of an Address+ProxyAddress pair (account-wide, as Twilio's 50416 is). */
export function addressPairKey(address: string, proxyAddress: string): string {
  return `pair:${address}\u0000${proxyAddress}`;
}

/** Lock key of a conversation unique name within a service. */
export function uniqueNameKey(serviceSid: string, uniqueName: string): string {
  return `unique:${serviceSid}\u0000${uniqueName}`;
}

/** Lock key of a chat identity within a conversation. */
export function participantIdentityKey(conversationSid: string, identity: string): string {
  return `identity:${conversationSid}\u0000${identity}`;
}
