import type { Database } from "better-sqlite3";
import type { BatchOutcome } from "./write-batcher.js";

/** An operation of the batch threw: carried out of the all-at-once try, which then rolls back. */
class OperationFailed {
  // A plain field, not a parameter property: the writer thread may run this file from source
  // under Node's type stripping, which only erases types.
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * Runs operations in one `BEGIN IMMEDIATE` transaction on a better-sqlite3 connection, each
 * failing alone: one that throws (a lost lease) rolls back alone and fails alone.
 * Throws when the transaction cannot begin or commit: then nothing of the batch was written.
 *
 * A batch is first run without savepoints (two statements fewer per operation; an ingest is
 * five, so that was a fifth of the writer's statements). Should any operation throw, that
 * whole transaction is rolled back and the batch run again with each operation in its own
 * savepoint — the same outcomes, at twice the cost for the rare batch with a failure.
 * Operations must therefore be repeatable: plain data in, the database's state out.
 */
export function createSavepointCommitter(
  database: Database,
): <Result>(operations: (() => Result)[]) => BatchOutcome<Result>[] {
  const allAtOnce = database.transaction((operations: (() => unknown)[]) =>
    operations.map((operation): BatchOutcome<unknown> => {
      try {
        return { ok: true, value: operation() };
      } catch (error) {
        throw new OperationFailed(error);
      }
    }),
  );
  // Called inside the batch transaction, so better-sqlite3 turns it into a SAVEPOINT.
  const inSavepoint = database.transaction((operation: () => unknown) => operation());
  const inSavepoints = database.transaction((operations: (() => unknown)[]) =>
    operations.map((operation): BatchOutcome<unknown> => {
      try {
        return { ok: true, value: inSavepoint(operation) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  return <Result>(operations: (() => Result)[]) => {
    try {
      return allAtOnce.immediate(operations) as BatchOutcome<Result>[];
    } catch (error) {
      if (!(error instanceof OperationFailed)) throw error;
      return inSavepoints.immediate(operations) as BatchOutcome<Result>[];
    }
  };
}
