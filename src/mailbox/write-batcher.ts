/** How one operation of a committed batch ended. */
export type BatchOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

/**
 * Commits a batch of requests in one transaction and says how each ended, in order; rejects
 * (or throws) when the transaction itself fails, in which case nothing of it was committed.
 */
export type CommitBatch<Request, Result> = (
  requests: Request[],
) => Promise<BatchOutcome<Result>[]> | BatchOutcome<Result>[];

/**
 * Group commit, for both stores (SQLite commits batches of writes, PostgreSQL batches of
 * ingests). Requests queued within one turn of the event loop (or within `windowMs`), and
 * every request that arrives while a commit is under way, go to the next commit together, so
 * concurrent webhooks share one fsync. One commit is in flight at a time per process, which
 * also keeps one process's PostgreSQL batches from deadlocking each other. Every promise
 * settles only after its commit, which is what makes "resolved" mean "durable".
 */
export interface WriteBatcher<Request, Result> {
  run(request: Request): Promise<Result>;
  /** Resolves once everything queued so far is committed (used by close). */
  drain(): Promise<void>;
  /** Commits and operations so far: how well writes are being grouped. */
  stats(): { commits: number; operations: number };
}

interface Entry<Request, Result> {
  request: Request;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

export function createWriteBatcher<Request, Result>(
  commit: CommitBatch<Request, Result>,
  options: { windowMs: number; maxBatch?: number },
): WriteBatcher<Request, Result> {
  const maxBatch = options.maxBatch ?? 500;
  const queue: Entry<Request, Result>[] = [];
  let scheduled = false;
  let inFlight: Promise<void> | undefined;
  let commits = 0;
  let operations = 0;

  const settle = (batch: Entry<Request, Result>[], outcomes: BatchOutcome<Result>[]) => {
    commits += 1;
    operations += batch.length;
    batch.forEach((entry, position) => {
      const outcome = outcomes[position];
      if (outcome === undefined) entry.reject(new Error("The commit lost track of a write."));
      else if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  };

  const flush = () => {
    scheduled = false;
    if (inFlight !== undefined) return;
    const batch = queue.splice(0, maxBatch);
    if (batch.length === 0) return;
    const committed = (async () => {
      try {
        settle(batch, await commit(batch.map((entry) => entry.request)));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    })();
    inFlight = committed.finally(() => {
      inFlight = undefined;
      // What arrived during this commit forms the next batch.
      if (queue.length > 0) schedule();
    });
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after the poll phase: every request read in the same loop turn
    // joins this batch without adding latency. A window > 0 trades latency for bigger batches.
    if (options.windowMs > 0) setTimeout(flush, options.windowMs);
    else setImmediate(flush);
  };

  return {
    run(request: Request): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        if (inFlight === undefined) schedule();
      });
    },
    async drain() {
      while (inFlight !== undefined || queue.length > 0) {
        if (inFlight === undefined) flush();
        await inFlight;
      }
    },
    stats: () => ({ commits, operations }),
  };
}
