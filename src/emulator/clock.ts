/**
 * The emulator's clock. Real time by default; tests move it forward with `advance()` (or
 * `POST /_emulator/clock`) to fire conversation timers and expire the WhatsApp window
 * without waiting. Timers scheduled on it fire when real time or an advance reaches them.
 */
export interface EmulatorClock {
  /** Current emulator time in epoch milliseconds (real time plus every advance so far). */
  now(): number;
  /**
   * Moves emulator time forward and runs every timer that became due, in due order. A
   * `RangeError` (and no move) for a negative or non-finite `ms`, or one that would take
   * the clock past `latestEmulatorTime`.
   */
  advance(ms: number): void;
  /** Runs `callback` once emulator time reaches `at` (epoch ms). Returns a cancel function. */
  schedule(at: number, callback: () => void): () => void;
  /** Cancels every pending timer (used on close and reset). */
  clear(): void;
}

/**
 * The latest time the emulator's clock may show: the last millisecond of the year 9999.
 * Twilio writes dates with four-digit years (`2019-05-07T09:41:44Z`); past 9999 a JavaScript
 * `Date` prints `+010000-…`, which SDKs in other languages cannot parse, and past about
 * 8.64e15 ms there is no `Date` at all: every timestamp the emulator then wrote would fail
 * to serialize, in memory and in its state file.
 */
export const latestEmulatorTime = Date.parse("9999-12-31T23:59:59.999Z");

/** Why `advanceMs` cannot move a clock that shows `now`, or undefined when it can. */
export function clockAdvanceProblem(now: number, advanceMs: unknown): string | undefined {
  if (typeof advanceMs !== "number" || !Number.isFinite(advanceMs) || advanceMs < 0)
    return "must be a non-negative number of milliseconds";
  const room = Math.max(0, Math.floor(latestEmulatorTime - now));
  if (advanceMs > room)
    return `would move the clock past ${new Date(latestEmulatorTime).toISOString()}, the latest time the emulator can show; it can move at most ${room} ms from now`;
  return undefined;
}

interface Timer {
  at: number;
  callback: () => void;
  handle: NodeJS.Timeout | undefined;
}

/** Creates a clock whose offset from real time starts at zero. */
export function createEmulatorClock(realNow: () => number = Date.now): EmulatorClock {
  let offset = 0;
  const timers = new Set<Timer>();

  const now = () => realNow() + offset;

  const arm = (timer: Timer) => {
    if (timer.handle) clearTimeout(timer.handle);
    // Node timers overflow past ~24.8 days; re-arm in steps so long timers still fire.
    const delay = Math.min(Math.max(0, timer.at - now()), 2 ** 31 - 1);
    timer.handle = setTimeout(() => fire(timer), delay);
    timer.handle.unref();
  };

  const fire = (timer: Timer) => {
    if (!timers.has(timer)) return;
    if (timer.at > now()) {
      arm(timer);
      return;
    }
    timers.delete(timer);
    if (timer.handle) clearTimeout(timer.handle);
    timer.callback();
  };

  return {
    now,
    advance(ms) {
      const problem = clockAdvanceProblem(now(), ms);
      if (problem !== undefined) throw new RangeError(`advance(ms): ms ${problem}`);
      offset += ms;
      const due = [...timers].filter((t) => t.at <= now()).sort((a, b) => a.at - b.at);
      for (const timer of due) fire(timer);
      for (const timer of timers) arm(timer);
    },
    schedule(at, callback) {
      const timer: Timer = { at, callback, handle: undefined };
      timers.add(timer);
      arm(timer);
      return () => {
        timers.delete(timer);
        if (timer.handle) clearTimeout(timer.handle);
      };
    },
    clear() {
      for (const timer of timers) if (timer.handle) clearTimeout(timer.handle);
      timers.clear();
    },
  };
}
