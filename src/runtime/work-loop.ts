/** A running background loop. */
export interface WorkLoop {
  /** Run a tick soon (a wake-up hint: new work may be claimable). */
  wake(): void;
  /** Stops after the current tick. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` until stopped: again at once while it reports more work, else after `pollMs`
 * or the next `wake()`, whichever comes first. Polling is the fallback that makes a lost
 * hint (another process wrote, a timer fired) cost at most `pollMs`.
 *
 * A wake-up says work committed before it may be claimable; a tick that starts after it
 * sees that work. So the wake-ups that arrive before a tick starts are all answered by it
 * (a batch of commits wakes the loop once per write), and only one arriving while a tick
 * runs calls for another: otherwise every burst of hints costs a claim that finds nothing.
 */
export function startWorkLoop(options: {
  pollMs: number;
  tick: () => Promise<boolean>;
  onError: (error: unknown) => void;
}): WorkLoop {
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (pendingWake || stopped) {
        pendingWake = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, options.pollMs);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const running = (async () => {
    while (!stopped) {
      let more = false;
      // This tick answers every wake-up so far (see above).
      pendingWake = false;
      try {
        more = await options.tick();
      } catch (error) {
        options.onError(error);
        // A failing store (disk full, closed) must not spin: wait a poll period.
        more = false;
      }
      if (stopped) break;
      if (more) await new Promise<void>((resolve) => setImmediate(resolve));
      else await sleep();
    }
  })();

  return {
    wake() {
      if (wakeUp !== undefined) wakeUp();
      else pendingWake = true;
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}

/**
 * Calls `wake` by `at` (epoch ms, a retry's due time) when the loop's next poll would come
 * later: a loop that claims again only when its last claim was cut short by capacity has
 * nothing else that wakes it for a retry.
 */
export function wakeBy(
  wake: () => void,
  at: number,
  settings: { now: () => number; pollMs: number },
): void {
  const wait = at - settings.now();
  if (wait >= settings.pollMs) return;
  setTimeout(wake, Math.max(0, wait) + 1).unref();
}
