import type Database from "better-sqlite3";
import { applySqliteWrite } from "./apply-sqlite-write.js";
import { createSavepointCommitter } from "./sqlite-savepoints.js";
import { prepareSqliteStatements } from "./sqlite-statements.js";
import type { AppliedWrite, SqliteWrite, SqliteWriteSettings } from "./sqlite-write.js";
import type { BatchOutcome } from "./write-batcher.js";

/**
 * Where the SQLite mailbox's writes run: one batch at a time, in one transaction that is
 * committed (fsynced) before the returned promise resolves.
 */
export interface SqliteWriter {
  /** Applies `writes` at store time `at` in one transaction. */
  commit(writes: SqliteWrite[], at: number): Promise<BatchOutcome<AppliedWrite>[]>;
  /** Stops the writer; call only once its last commit has settled. */
  close(): Promise<void>;
  /** True when commits run on another thread: issuing one does not block the caller. */
  readonly offThread?: boolean;
}

/**
 * The writer that runs on the calling thread over the given connection. Used for `:memory:`
 * databases (a second connection would see another, empty database) and wherever the writer
 * thread cannot start. Its fsync blocks the event loop; the thread's does not.
 */
export function inThreadSqliteWriter(
  database: Database.Database,
  settings: SqliteWriteSettings,
): SqliteWriter {
  const statements = prepareSqliteStatements(database);
  const commitInSavepoints = createSavepointCommitter(database);
  return {
    async commit(writes, at) {
      return commitInSavepoints(
        writes.map((write) => () => applySqliteWrite(statements, settings, write, at)),
      );
    },
    async close() {},
  };
}
