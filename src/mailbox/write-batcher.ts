import type { Database } from "better-sqlite3";

/** Registers a callback to run only if the operation's writes are committed. */
export type AfterCommit = (callback: () => void) => void;

/**
 * Group commit for a better-sqlite3 connection. Writes queued within one turn of the event
 * loop (or within `windowMs`) run in one `BEGIN IMMEDIATE` transaction, so concurrent
 * webhooks share one fsync; each operation runs in its own savepoint, so one that throws
 * (a lost lease, bad input) rolls back alone and rejects alone. Every promise settles only
 * after the commit, which is what makes "resolved" mean "durable".
 */
export interface WriteBatcher {
  run<T>(operation: (afterCommit: AfterCommit) => T): Promise<T>;
  /** Commits everything queued now, synchronously (used by close). */
  flushNow(): void;
  /** Commits and operations so far: how well writes are being grouped. */
  stats(): { commits: number; operations: number };
}

interface Entry {
  operation: (afterCommit: AfterCommit) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome =
  | { entry: Entry; ok: true; value: unknown; callbacks: (() => void)[] }
  | { entry: Entry; ok: false; error: unknown };

export function createWriteBatcher(
  database: Database,
  options: { windowMs: number; maxBatch?: number },
): WriteBatcher {
  const maxBatch = options.maxBatch ?? 500;
  const queue: Entry[] = [];
  let scheduled = false;
  let windowTimer: NodeJS.Timeout | undefined;
  let commits = 0;
  let operations = 0;

  // Called inside the batch transaction, so better-sqlite3 turns it into a SAVEPOINT.
  const inSavepoint = database.transaction((operation: Entry["operation"], register: AfterCommit) =>
    operation(register),
  );
  const inBatch = database.transaction((batch: Entry[]) => {
    const outcomes: Outcome[] = [];
    for (const entry of batch) {
      const callbacks: (() => void)[] = [];
      try {
        const value = inSavepoint(entry.operation, (callback) => callbacks.push(callback));
        outcomes.push({ entry, ok: true, value, callbacks });
      } catch (error) {
        outcomes.push({ entry, ok: false, error });
      }
    }
    return outcomes;
  });

  const flush = () => {
    scheduled = false;
    if (windowTimer !== undefined) clearTimeout(windowTimer);
    windowTimer = undefined;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = inBatch.immediate(batch);
      commits += 1;
      operations += batch.length;
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const outcome of outcomes) {
      if (outcome.ok) {
        outcome.entry.resolve(outcome.value);
        for (const callback of outcome.callbacks) callback();
      } else {
        outcome.entry.reject(outcome.error);
      }
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after the poll phase: every request read in the same loop turn
    // joins this batch without adding latency. A window > 0 trades latency for bigger batches.
    if (options.windowMs > 0) windowTimer = setTimeout(flush, options.windowMs);
    else setImmediate(flush);
  };

  return {
    run<T>(operation: (afterCommit: AfterCommit) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ operation, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    flushNow() {
      while (queue.length > 0) flush();
    },
    stats: () => ({ commits, operations }),
  };
}
