/** Options of a keyed token bucket: `capacity` requests at once, refilled over `refillMs`. */
export interface TokenBucketOptions {
  /** The burst: how many requests a quiet key may make at once. */
  capacity: number;
  /** How long an empty bucket takes to refill completely, in milliseconds. */
  refillMs: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
  /**
   * How many keys to remember before forgetting full buckets (a full bucket is the same as
   * no bucket). Default 10 000. Bounds memory under a flood of new keys.
   */
  maxKeys?: number;
}

/** The outcome of `take`: allowed, or refused with the wait until a token is back. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** A per-key token bucket, e.g. per visitor identity. */
export interface TokenBucket {
  take(key: string): TakeResult;
  /** Whether `take` would be allowed now, without taking (to refuse before any work). */
  peek(key: string): TakeResult;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Creates a token bucket limiter. Each key starts full; every request takes one token;
 * tokens come back continuously (`capacity / refillMs` per millisecond).
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { capacity, refillMs } = options;
  if (!(capacity >= 1) || !(refillMs > 0)) {
    throw new RangeError("A token bucket needs capacity >= 1 and refillMs > 0.");
  }
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const ratePerMs = capacity / refillMs;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = at;
  };

  const forgetFull = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
  };

  return {
    peek(key) {
      const bucket = buckets.get(key);
      if (bucket === undefined) return { allowed: true };
      refill(bucket, now());
      return bucket.tokens >= 1
        ? { allowed: true }
        : { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
    },
    take(key) {
      const at = now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) forgetFull(at);
        // Still full of busy keys: drop the oldest rather than grow without bound.
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next();
          if (oldest.done !== true) buckets.delete(oldest.value);
        }
        bucket = { tokens: capacity, updatedAt: at };
        buckets.set(key, bucket);
      } else {
        refill(bucket, at);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
    },
  };
}
