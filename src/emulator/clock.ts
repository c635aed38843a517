/**
 * The emulator's clock. Real time by default; tests move it forward with `advance()` (or
 * `POST /_emulator/clock`) to fire conversation timers and expire the WhatsApp window
 * without waiting. Timers scheduled on it fire when real time or an advance reaches them.
 */
export interface EmulatorClock {
  /** Current emulator time in epoch milliseconds (real time plus every advance so far). */
  now(): number;
  /** Moves emulator time forward and runs every timer that became due, in due order. */
  advance(ms: number): void;
  /** Runs `callback` once emulator time reaches `at` (epoch ms). Returns a cancel function. */
  schedule(at: number, callback: () => void): () => void;
  /** Cancels every pending timer (used on close and reset). */
  clear(): void;
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
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError("advance() takes a non-negative number of milliseconds");
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
