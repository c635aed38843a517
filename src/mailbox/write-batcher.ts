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
 * `commit` for batches whose failure may be one request's (a value the database refuses):
 * should the whole batch fail, each request is committed alone, so an error is only its own.
 */
export function eachAloneOnFailure<Request, Result>(
  commit: (requests: Request[]) => Promise<BatchOutcome<Result>[]>,
): CommitBatch<Request, Result> {
  return async (requests) => {
    try {
      return await commit(requests);
    } catch (error) {
      if (requests.length === 1) throw error;
      return Promise.all(
        requests.map((request) =>
          commit([request]).then(
            ([outcome]) => outcome!,
            (alone: unknown): BatchOutcome<Result> => ({ ok: false, error: alone }),
          ),
        ),
      );
    }
  };
}

/**
 * Group commit, for both stores (SQLite commits batches of writes, PostgreSQL batches of
 * ingests). Requests queued within one turn of the event loop (or within `windowMs`), and
 * every request that arrives while a commit is under way, go to the next commit together, so
 * concurrent webhooks share one fsync. By default one commit is in flight at a time; with
 * `concurrency` above 1 the next batch is handed over while earlier ones still commit
 * (pipelining: a writer that applies batches in order, like the SQLite writer thread, keeps
 * their order; PostgreSQL runs them on separate connections). Every promise settles only
 * after its commit, which is what makes "resolved" mean "durable".
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
  options: { windowMs: number; maxBatch?: number; concurrency?: number; handOverAtOnce?: boolean },
): WriteBatcher<Request, Result> {
  const maxBatch = options.maxBatch ?? 500;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new RangeError("concurrency must be a positive integer.");
  const queue: Entry<Request, Result>[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();
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
    if (inFlight.size >= concurrency) return;
    const batch = queue.splice(0, maxBatch);
    if (batch.length === 0) return;
    const committed = (async () => {
      try {
        settle(batch, await commit(batch.map((entry) => entry.request)));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    })();
    const tracked: Promise<void> = committed.finally(() => {
      inFlight.delete(tracked);
      // What arrived during this commit forms the next batch.
      if (queue.length === 0) return;
      // With `handOverAtOnce`, before this loop turn's promise jobs (the answers to the batch
      // that just landed) have run: a committer on another thread then applies it while this
      // one answers, instead of idling until every answer is written. Nothing more could join
      // by waiting: requests are read in the poll phase, after those jobs. Not for a
      // committer that blocks this thread (the SQLite writer on the calling thread): its
      // fsync would then come before those answers.
      if (options.handOverAtOnce === true) flush();
      else schedule();
    });
    inFlight.add(tracked);
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
        if (inFlight.size < concurrency) schedule();
      });
    },
    async drain() {
      while (inFlight.size > 0 || queue.length > 0) {
        if (inFlight.size < concurrency) flush();
        await Promise.all(inFlight);
      }
    },
    stats: () => ({ commits, operations }),
  };
}
