import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";
import { startWorkLoop } from "./work-loop.js";

describe("startWorkLoop", () => {
  it("ticks again at once while there is more work, then waits for a wake-up", async () => {
    let ticks = 0;
    let more = 3;
    const errors: unknown[] = [];
    const loop = startWorkLoop({
      pollMs: 60_000,
      tick: async () => {
        ticks += 1;
        if (ticks === 2) throw new Error("store hiccup");
        return --more > 0;
      },
      onError: (error) => errors.push(error),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 1 (more) → 2 (throws: waits for a poll or a wake-up)
    expect(ticks).toBe(2);
    expect(errors).toHaveLength(1);
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ticks).toBeGreaterThanOrEqual(3);
    await loop.stop();
    const stoppedAt = ticks;
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toBe(stoppedAt);
  });
});

describe("startWorkLoop wake-ups", () => {
  it("answers every wake-up before a tick with that tick, and one during a tick with another", async () => {
    let ticks = 0;
    let release: (() => void) | undefined;
    const loop = startWorkLoop({
      pollMs: 60_000,
      tick: async () => {
        ticks += 1;
        if (ticks === 3) await new Promise<void>((resolve) => (release = resolve));
        return false;
      },
      onError: () => {},
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toBe(1);
    // A batch of commits wakes the loop once per write: one claim answers them all.
    for (let wake = 0; wake < 5; wake++) loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toBe(2);
    // Wakes while a tick runs may be for work that tick's claim did not see: one more tick.
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toBe(3);
    loop.wake();
    loop.wake();
    release?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toBe(4);
    await loop.stop();
  });
});

describe("backoffDelay", () => {
  it("doubles per attempt within its cap, jittered in the upper half", () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(40, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(40, 100, 10_000, () => 0)).toBe(5_000);
  });
});
