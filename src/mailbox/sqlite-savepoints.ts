import type { Database } from "better-sqlite3";
import type { BatchOutcome } from "./write-batcher.js";

/**
 * Runs operations in one `BEGIN IMMEDIATE` transaction on a better-sqlite3 connection, each
 * in its own savepoint, so one that throws (a lost lease) rolls back alone and fails alone.
 * Throws when the transaction cannot begin or commit: then nothing of the batch was written.
 */
export function createSavepointCommitter(
  database: Database,
): <Result>(operations: (() => Result)[]) => BatchOutcome<Result>[] {
  // Called inside the batch transaction, so better-sqlite3 turns it into a SAVEPOINT.
  const inSavepoint = database.transaction((operation: () => unknown) => operation());
  const inBatch = database.transaction((operations: (() => unknown)[]) =>
    operations.map((operation): BatchOutcome<unknown> => {
      try {
        return { ok: true, value: inSavepoint(operation) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  return <Result>(operations: (() => Result)[]) =>
    inBatch.immediate(operations) as BatchOutcome<Result>[];
}
