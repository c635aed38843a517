import { realpathSync } from "node:fs";
import { hostname } from "node:os";
import type Database from "better-sqlite3";
import { betterSqlite3 } from "./load-better-sqlite3.js";
import { MailboxOpenError } from "./mailbox-errors.js";

/** The ownership of one mailbox file, held until `release`. */
export interface SqliteOwnership {
  /** Gives the file up (the next process may open it). Idempotent. */
  release(): void;
}

const ownerKey = "mailbox.owner";

/**
 * Takes ownership of the mailbox at `location` for this store: an exclusive lock on a
 * sidecar file (`<file>-owner`), held on its own connection for as long as the store is open.
 * The operating system drops the lock when the process dies, however it dies, so a
 * `kill -9` never leaves a stale owner behind, and a second live owner — another process,
 * or a second store in this one — is refused here with an error naming the holder.
 *
 * Being the only owner is what lets `releaseDeadOwnerLeases` hand back at once every lease
 * found in the file: whoever held it is gone.
 */
export function claimSqliteOwnership(
  location: string,
  database: Database.Database,
): SqliteOwnership {
  // Named after the file itself, not the path it was opened by: through a symlink the same
  // file would otherwise get a second lock, and a second owner. (A hard link still would:
  // it has no one true name.)
  const lockPath = `${realPathOf(location)}-owner`;
  let lock: Database.Database;
  try {
    const Sqlite = betterSqlite3();
    lock = new Sqlite(lockPath);
    // No waiting: a live owner holds the lock for hours; the answer is "no" now.
    lock.pragma("busy_timeout = 0");
    lock.pragma("locking_mode = EXCLUSIVE");
  } catch (cause) {
    throw new MailboxOpenError(
      location,
      `Cannot create the mailbox owner lock ${lockPath}: ${(cause as Error).message}.`,
      { cause },
    );
  }
  try {
    lock.exec("BEGIN EXCLUSIVE");
  } catch (cause) {
    lock.close();
    const holder = describeOwner(database);
    throw new MailboxOpenError(
      location,
      `The mailbox ${location} is already open in another live process or store` +
        `${holder === undefined ? "" : ` (${holder})`}. One process owns a SQLite mailbox; ` +
        "stop the other one, or use PostgreSQL to run several instances.",
      { cause },
    );
  }
  database
    .prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .run(ownerKey, `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      lock.close();
    },
  };
}

function realPathOf(location: string): string {
  try {
    return realpathSync(location);
  } catch {
    // Opened already, so it exists; should the lookup fail anyway, the path as given.
    return location;
  }
}

function describeOwner(database: Database.Database): string | undefined {
  try {
    const row = database.prepare("SELECT value FROM meta WHERE key = ?").get(ownerKey) as
      | { value: string }
      | undefined;
    return row?.value;
  } catch {
    return undefined;
  }
}

/**
 * The new owner's first write: every turn and send lease in the file belonged to a process
 * that is gone, so each is made expired now rather than after its full lease. The rows then
 * take the path of any expired lease (the turn counts its attempt again; a send looks for its
 * reply before sending again), seconds after a crash instead of a lease length later. A send
 * whose request was under way keeps its lease until that request's deadline: Twilio may still
 * act on a request the dead process wrote, and a look for the reply before it lands would
 * find nothing and send the reply again.
 */
export function releaseDeadOwnerLeases(
  database: Database.Database,
  at: number,
): { turns: number; sends: number } {
  const release = database.transaction(() => ({
    turns: database
      .prepare(
        "UPDATE conversations SET lease_expires_at = ? WHERE state = 'leased' AND lease_expires_at > ?",
      )
      .run(at, at).changes,
    sends: database
      .prepare(
        `UPDATE outbox SET lease_expires_at = max(@at, coalesce(attempt_deadline, @at))
          WHERE status = 'sending' AND lease_expires_at > max(@at, coalesce(attempt_deadline, @at))`,
      )
      .run({ at }).changes,
  }));
  return release.immediate();
}
