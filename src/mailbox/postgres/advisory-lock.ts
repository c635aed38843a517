import type pg from "pg";
import type { LockOutcome } from "../mailbox-store.js";
import { checkout } from "./postgres-connection.js";

/**
 * Runs `work` while this process holds the session advisory lock named `lockKey` (hashed to
 * PostgreSQL's 64-bit lock space), or answers `{ acquired: false }` at once when another
 * session holds it. The lock lives on one pooled connection for the whole run; if that
 * connection dies the server releases the lock, so another process may start the same job
 * before this one notices — acceptable for work that is safe to repeat (catch-up ingests
 * through dedupe), which is the only kind this is used for.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  lockKey: string,
  work: () => Promise<T>,
): Promise<LockOutcome<T>> {
  const held = await checkout(pool);
  let broken: Error | undefined;
  try {
    let locked: boolean;
    try {
      const taken = await held.client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked",
        [lockKey],
      );
      locked = taken.rows[0]?.locked === true;
    } catch (error) {
      broken = error as Error;
      throw error;
    }
    if (!locked) return { acquired: false };
    try {
      return { acquired: true, value: await work() };
    } finally {
      try {
        await held.client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockKey]);
      } catch (error) {
        // Discarding the connection ends its session, which releases the lock too.
        broken = error as Error;
      }
    }
  } finally {
    held.release(broken);
  }
}
