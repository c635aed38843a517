import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { type DatabaseTarget, describeTarget, MailboxUnavailableError } from "./postgres-errors.js";
import { isStalePreparedStatement, queryPrepared, sendPrepared } from "./prepared-statements.js";

/**
 * True for errors that mean the connection is gone (the server restarted, a backend was
 * terminated, the network dropped), as opposed to errors of the statement itself. Such a
 * transaction did not commit unless the error arrived during `COMMIT`.
 */
export function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // Class 08: connection exception; 57P01-03: the server is shutting down or starting.
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03")
      return true;
    if (/^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code))
      return true;
  }
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

/** Deadlock (40P01) or serialization failure (40001): the whole transaction may be retried. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001";
}

/** How a transaction may be repeated when its connection is lost. */
export interface TransactionOptions {
  /**
   * True when running the work twice is harmless, so a commit interrupted by a lost connection
   * (outcome unknown) is simply retried.
   */
  idempotent: boolean;
  /**
   * For non-idempotent work: after an interrupted commit, looks (on a new connection) whether
   * the work did commit. `{ committed: true, value }` ends the call with `value`;
   * `{ committed: false }` runs the work again. Without it the call fails with
   * `MailboxUnavailableError`.
   */
  verify?: () => Promise<{ committed: true; value: unknown } | { committed: false }>;
  /**
   * The work sends exactly one statement: it runs in autocommit, as its own transaction,
   * saving the `BEGIN` and `COMMIT` round trips. A connection lost while it runs leaves the
   * outcome unknown, as a lost `COMMIT` does.
   */
  singleStatement?: boolean;
}

/** Pauses between retries after a lost connection, deadlock or serialization failure. */
const retryDelaysMs = [25, 100, 250, 500, 1_000, 2_000];
/**
 * Retries stop once this much wall time has passed: a webhook waiting on `ingest` must get an
 * error (and answer 5xx, so Twilio retries) before Twilio gives up on it.
 */
const retryBudgetMs = 4_000;

/** The pause before the next try, or undefined when retries are exhausted. */
function nextDelay(attempt: number, startedAt: number): number | undefined {
  const delay = retryDelaysMs[attempt];
  if (delay === undefined || Date.now() - startedAt + delay > retryBudgetMs) return undefined;
  return delay;
}

/** A pool plus the retry rules every mailbox query goes through. */
export interface PostgresConnection {
  readonly pool: pg.Pool;
  readonly target: DatabaseTarget;
  /** One statement in autocommit, retried on a lost connection (use for reads and idempotent writes). */
  query<Row extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<Row>>;
  /** Runs `work` inside `BEGIN … COMMIT` on one client, retried as `options` allows. */
  transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T>;
  /** Ends the pool if this connection created it. */
  end(): Promise<void>;
}

/** Reads host, port, database and user the way `pg` will (URL, fields, then `PG*` variables). */
export function targetOf(config: pg.ClientConfig): DatabaseTarget {
  const probe = new pg.Client(config) as unknown as {
    host: string;
    port: number;
    database: string | undefined;
    user: string | undefined;
  };
  return {
    host: probe.host,
    port: probe.port,
    database: probe.database ?? "",
    user: probe.user ?? "",
  };
}

/** A client taken from the pool, guarded against errors while we hold it. */
export interface CheckedOut {
  client: pg.PoolClient;
  /** Returns the client; with an error, the pool discards it. */
  release(broken?: Error): void;
}

/**
 * Takes a client from the pool with an error handler attached in the same tick. pg-pool
 * removes its own handler when handing a client out; a promise continuation attaches ours
 * too late when the server's "terminating connection" arrives in the same network read as
 * the connection's readiness, and the unhandled `error` event would crash the process.
 */
export function checkout(pool: pg.Pool): Promise<CheckedOut> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client, done) => {
      if (error !== undefined || client === undefined) {
        reject(error ?? new Error("the pool gave no client"));
        return;
      }
      const onError = () => {
        // The statement in flight (if any) fails with it; we release the client as broken.
      };
      client.on("error", onError);
      resolve({
        client,
        release(broken) {
          client.removeListener("error", onError);
          done(broken);
        },
      });
    });
  });
}

export function createPostgresConnection(
  pool: pg.Pool,
  target: DatabaseTarget,
  ownsPool: boolean,
): PostgresConnection {
  const unavailable = (cause: unknown) =>
    new MailboxUnavailableError(
      target,
      `Lost the mailbox database at ${describeTarget(target)} and could not reconnect ` +
        `(${(cause as Error).message}). Check that PostgreSQL is running and reachable.`,
      { cause },
    );

  const connection: PostgresConnection = {
    pool,
    target,
    async query<Row extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []) {
      const startedAt = Date.now();
      for (let attempt = 0; ; attempt++) {
        try {
          return await queryPrepared<Row>(pool, text, values);
        } catch (error) {
          const delay = nextDelay(attempt, startedAt);
          if (
            !(
              isConnectionLost(error) ||
              isRetryableConflict(error) ||
              isStalePreparedStatement(error)
            )
          )
            throw error;
          if (delay === undefined) throw unavailable(error);
          await sleep(delay);
        }
      }
    },

    async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions) {
      const startedAt = Date.now();
      for (let attempt = 0; ; attempt++) {
        let held: CheckedOut | undefined;
        let committing = false;
        try {
          held = await checkout(pool);
          sendPrepared(held.client);
          const single = options.singleStatement === true;
          if (!single) await held.client.query("BEGIN");
          // In autocommit the one statement is the commit.
          committing = single;
          const value = await work(held.client);
          committing = true;
          if (!single) await held.client.query("COMMIT");
          held.release();
          return value;
        } catch (error) {
          const lost = isConnectionLost(error);
          if (held !== undefined) {
            // A failed autocommit statement rolled itself back: the client is fine.
            if (options.singleStatement === true && !lost) held.release();
            else if (lost || committing) held.release(error as Error);
            else {
              try {
                await held.client.query("ROLLBACK");
                held.release();
              } catch (rollbackError) {
                held.release(rollbackError as Error);
              }
            }
          }
          // A stale prepared statement ran nothing; it was renamed, so the retry prepares it.
          if (!(lost || isRetryableConflict(error) || isStalePreparedStatement(error))) throw error;
          if (lost && committing && !options.idempotent) {
            // The commit may or may not have happened: repeating non-idempotent work blindly
            // could, say, report a completed turn as a lost lease.
            if (options.verify === undefined)
              throw new MailboxUnavailableError(
                target,
                `The connection to ${describeTarget(target)} was lost while committing; the ` +
                  "outcome of this call is unknown.",
                { cause: error },
              );
            // `verify` reads through `query`, which retries on its own.
            const outcome = await options.verify();
            if (outcome.committed) return outcome.value as T;
          }
          const delay = nextDelay(attempt, startedAt);
          if (delay === undefined) throw unavailable(error);
          await sleep(delay);
        }
      }
    },

    async end() {
      if (ownsPool) await pool.end();
    },
  };

  return connection;
}
