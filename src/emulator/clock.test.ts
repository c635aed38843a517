import { describe, expect, it } from "vitest";
import { createEmulatorClock, latestEmulatorTime } from "./clock.js";

describe("createEmulatorClock", () => {
  it("advances time and fires due timers in due order", () => {
    let real = 1_000_000;
    const clock = createEmulatorClock(() => real);
    const fired: string[] = [];
    clock.schedule(real + 60_000, () => fired.push("one minute"));
    clock.schedule(real + 10_000, () => fired.push("ten seconds"));
    clock.schedule(real + 3_600_000, () => fired.push("one hour"));

    clock.advance(59_999);
    expect(fired).toEqual(["ten seconds"]);
    clock.advance(1);
    expect(fired).toEqual(["ten seconds", "one minute"]);
    real += 5; // real time passing counts too
    expect(clock.now()).toBe(1_000_000 + 60_000 + 5);
    clock.clear();
    clock.advance(10_000_000);
    expect(fired).toEqual(["ten seconds", "one minute"]);
  });

  it("cancels a timer and rejects a negative advance", () => {
    const clock = createEmulatorClock(() => 0);
    let fired = false;
    const cancel = clock.schedule(100, () => {
      fired = true;
    });
    cancel();
    clock.advance(1_000);
    expect(fired).toBe(false);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it("refuses to move past the year 9999, where dates stop printing, and stays where it was", () => {
    const clock = createEmulatorClock(() => 0);
    for (const ms of [1e300, latestEmulatorTime + 1, Number.POSITIVE_INFINITY, Number.NaN])
      expect(() => clock.advance(ms)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
    clock.advance(latestEmulatorTime);
    expect(new Date(clock.now()).toISOString()).toBe("9999-12-31T23:59:59.999Z");
    expect(() => clock.advance(1)).toThrow(/9999-12-31T23:59:59\.999Z/);
  });

  it("fires a timer in real time when nobody advances the clock", async () => {
    const clock = createEmulatorClock();
    const at = clock.now() + 20;
    const firedAt = await new Promise<number>((resolve) =>
      clock.schedule(at, () => resolve(clock.now())),
    );
    expect(firedAt).toBeGreaterThanOrEqual(at);
    clock.clear();
  });
});
