import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type Database from "better-sqlite3";
import { betterSqlite3 } from "./load-better-sqlite3.js";
import { MailboxOpenError } from "./mailbox-errors.js";
import { migrate } from "./sqlite-schema.js";

/**
 * The page cache of each mailbox connection, KiB (the main thread's reads and the writer
 * thread's commits each have one). Set explicitly because the bundled SQLite's default is
 * not SQLite's: better-sqlite3 builds it with 16 MB per connection, a cache that keeps
 * filling as the file grows (14 MiB more RSS for the service at 10k–100k conversations;
 * docs/benchmarks.md, "Memory per idle conversation"). A miss is a read from the operating
 * system's file cache, which the file is in anyway: ingest to random conversations of a
 * 100k-conversation file measured no slower at 2 MiB than at 16 MB.
 */
export const sqlitePageCacheKiB = 2_048;

/**
 * Opens (creating its folder) and migrates a mailbox file in WAL mode with
 * `synchronous=FULL`, its page cache bounded to `sqlitePageCacheKiB` and no memory-mapped
 * I/O (mapped pages would count in the process's RSS, as the file grows). Every failure becomes a `MailboxOpenError` that names the path and
 * says what to check.
 */
export function openSqliteDatabase(path: string): Database.Database {
  if (typeof path !== "string" || path.length === 0)
    throw new MailboxOpenError(String(path), "sqliteMailbox: `path` must be a file path.");
  const memory = path === ":memory:";
  const location = memory ? path : resolve(path);
  if (!memory) {
    const folder = dirname(location);
    try {
      mkdirSync(folder, { recursive: true });
      accessSync(folder, constants.W_OK);
    } catch (cause) {
      throw new MailboxOpenError(
        location,
        `Cannot use the mailbox folder ${folder}: it cannot be created or is not writable ` +
          `(${(cause as Error).message}). Choose another path or fix its permissions.`,
        { cause },
      );
    }
    let isDirectory = false;
    try {
      isDirectory = statSync(location).isDirectory();
    } catch {
      // Missing is fine: SQLite creates it.
    }
    if (isDirectory)
      throw new MailboxOpenError(location, `The mailbox path ${location} is a folder, not a file.`);
  }
  let database: Database.Database;
  try {
    const Sqlite = betterSqlite3();
    database = new Sqlite(location);
    database.pragma("busy_timeout = 5000");
    if (!memory) {
      const mode = database.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal")
        throw new Error(`journal_mode is ${String(mode)}; the file system may not support WAL`);
    }
    // FULL syncs the WAL on every commit: a resolved ingest survives power loss, not only
    // a process crash (NORMAL would only guarantee the latter in WAL mode).
    database.pragma("synchronous = FULL");
    // Negative: a size in KiB, whatever the page size. mmap_size is 0 in this build already;
    // pinned so a build that enables it cannot make RSS grow with the file.
    database.pragma(`cache_size = -${sqlitePageCacheKiB}`);
    database.pragma("mmap_size = 0");
  } catch (cause) {
    throw new MailboxOpenError(
      location,
      `Cannot open the mailbox database ${location}: ${(cause as Error).message}. ` +
        "Is it a SQLite file, and is it writable?",
      { cause },
    );
  }
  try {
    migrate(database, location);
  } catch (cause) {
    database.close();
    if (cause instanceof MailboxOpenError) throw cause;
    throw new MailboxOpenError(
      location,
      `Cannot prepare the mailbox schema in ${location}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return database;
}
