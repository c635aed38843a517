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
