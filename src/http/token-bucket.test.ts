import { describe, expect, it } from "vitest";
import { createTokenBucket } from "./token-bucket.js";

describe("token bucket", () => {
  it("allows a burst, refuses the next with the wait, and refills over time", () => {
    let now = 0;
    const bucket = createTokenBucket({ capacity: 5, refillMs: 10_000, now: () => now });
    for (let count = 0; count < 5; count += 1) expect(bucket.take("a")).toEqual({ allowed: true });
    expect(bucket.take("a")).toEqual({ allowed: false, retryAfterMs: 2000 });
    expect(bucket.take("b")).toEqual({ allowed: true });
    now = 1000;
    expect(bucket.take("a")).toEqual({ allowed: false, retryAfterMs: 1000 });
    now = 2000;
    expect(bucket.take("a")).toEqual({ allowed: true });
    expect(bucket.take("a").allowed).toBe(false);
    now = 1_000_000;
    for (let count = 0; count < 5; count += 1) expect(bucket.take("a").allowed).toBe(true);
    expect(bucket.take("a").allowed).toBe(false);
  });

  it("keeps memory bounded under a flood of new keys without freeing busy ones early", () => {
    let now = 0;
    const bucket = createTokenBucket({ capacity: 1, refillMs: 1000, maxKeys: 3, now: () => now });
    for (const key of ["a", "b", "c"]) expect(bucket.take(key).allowed).toBe(true);
    now = 1000;
    // Every bucket is full again, so making room for "d" forgets them all; "a" starts afresh.
    expect(bucket.take("d").allowed).toBe(true);
    expect(bucket.take("d").allowed).toBe(false);
    expect(bucket.take("a").allowed).toBe(true);
  });

  it("rejects nonsense options", () => {
    expect(() => createTokenBucket({ capacity: 0, refillMs: 1000 })).toThrow(RangeError);
    expect(() => createTokenBucket({ capacity: 1, refillMs: 0 })).toThrow(RangeError);
  });
});
