/** The outcome of one input of a batch: its own value, or its own error. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A queue that commits inputs in batches and settles each caller after the commit. */
export interface GroupCommit<Input, Output> {
  run(input: Input): Promise<Output>;
  /** Resolves when everything queued so far has been committed (or failed). */
  drain(): Promise<void>;
  /** Commits and inputs so far: how well writes are being grouped. */
  stats(): { commits: number; inputs: number };
}

/**
 * Group commit for the PostgreSQL mailbox: inputs arriving while a batch is being committed
 * (or within the same event-loop turn, or `windowMs`) wait and go together in the next batch,
 * so concurrent webhooks share one transaction and one WAL flush. One batch is in flight at a
 * time per process, which also keeps this process's batches from deadlocking each other.
 * `commit` answers one outcome per input, in order; if it throws, every input of the batch
 * rejects with that error.
 */
export function createGroupCommit<Input, Output>(
  commit: (inputs: readonly Input[]) => Promise<Settled<Output>[]>,
  options: { windowMs: number; maxBatch: number },
): GroupCommit<Input, Output> {
  interface Entry {
    input: Input;
    resolve: (value: Output) => void;
    reject: (error: unknown) => void;
  }
  const queue: Entry[] = [];
  let scheduled = false;
  let inFlight: Promise<void> | undefined;
  let commits = 0;
  let inputs = 0;

  const flush = () => {
    scheduled = false;
    if (inFlight !== undefined || queue.length === 0) return;
    const batch = queue.splice(0, options.maxBatch);
    inFlight = (async () => {
      try {
        const outcomes = await commit(batch.map((entry) => entry.input));
        commits += 1;
        inputs += batch.length;
        batch.forEach((entry, position) => {
          const outcome = outcomes[position];
          if (outcome === undefined) entry.reject(new Error("group commit lost an outcome"));
          else if (outcome.ok) entry.resolve(outcome.value);
          else entry.reject(outcome.error);
        });
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      } finally {
        inFlight = undefined;
        // What queued up during this commit goes next, without waiting for a new tick.
        if (queue.length > 0) flush();
      }
    })();
  };

  const schedule = () => {
    if (scheduled || inFlight !== undefined) return;
    scheduled = true;
    if (options.windowMs > 0) setTimeout(flush, options.windowMs);
    else setImmediate(flush);
  };

  return {
    run(input) {
      return new Promise<Output>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (inFlight !== undefined || queue.length > 0) {
        if (inFlight === undefined) flush();
        await inFlight;
      }
    },
    stats: () => ({ commits, inputs }),
  };
}
