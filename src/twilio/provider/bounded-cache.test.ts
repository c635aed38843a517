import { expect, it } from "vitest";
import { BoundedCache, detachString } from "./bounded-cache.js";

it("keeps at most its capacity, dropping the least recently used", () => {
  const cache = new BoundedCache<number>(2);
  cache.set("a", 1);
  cache.set("b", 2);
  expect(cache.get("a")).toBe(1); // a is now the most recent
  cache.set("c", 3);
  expect(cache.size).toBe(2);
  expect(cache.get("b")).toBeUndefined();
  expect([cache.get("a"), cache.get("c")]).toEqual([1, 3]);
  cache.set("a", 4);
  expect(cache.size).toBe(2);
  expect(cache.get("a")).toBe(4);
  cache.delete("a");
  expect(cache.get("a")).toBeUndefined();
});

it("refuses a capacity that is not a positive integer", () => {
  for (const capacity of [0, -1, 1.5, Number.NaN])
    expect(() => new BoundedCache(capacity)).toThrow(/capacity/);
});

it("copies a string without changing it", () => {
  const body = `ConversationSid=CH${"a".repeat(32)}&Body=${"x".repeat(10_000)}`;
  const sid = body.slice("ConversationSid=".length, "ConversationSid=".length + 34);
  expect(detachString(sid)).toBe(sid);
  expect(detachString("")).toBe("");
  expect(detachString("héllo ✓")).toBe("héllo ✓");
});
