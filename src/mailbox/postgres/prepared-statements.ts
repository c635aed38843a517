import { createHash } from "node:crypto";
import type pg from "pg";

/**
 * The mailbox's statements go to PostgreSQL as named (prepared) statements: each connection
 * parses and plans one once, then only binds and executes it. Sent unnamed, every call was
 * parsed and planned again — for the claim and outbox statements more server time than their
 * execution. The name is a hash of the text, which names its schema, so two schemas (or two
 * versions of a statement) never share a name on a connection.
 */
const names = new Map<string, string>();
let renewals = 0;

/** Marks these statement texts to be sent as prepared statements from now on. */
export function registerPreparedStatements(texts: Iterable<unknown>): void {
  for (const text of texts) {
    if (typeof text !== "string" || names.has(text)) continue;
    names.set(text, `sb_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`);
  }
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was
 * prepared ("cached plan must not change result type"): a newer instance migrated the schema
 * (say, added a column to a table a `SELECT *` reads) while this one kept its connections.
 * Nothing ran, so the call may be repeated.
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === "0A000" && typeof message === "string" && /cached plan must not change/.test(message)
  );
}

/** Gives `text` a new name, so every connection prepares it afresh on its next use. */
function renew(text: string): void {
  const name = names.get(text);
  if (name === undefined) return;
  renewals += 1;
  names.set(text, `${name.split("_r")[0]}_r${renewals}`);
}

/**
 * Sends `config`; when its prepared statement went stale, renames the statement (so its retry
 * prepares it again) and rethrows for the caller's retry.
 */
async function sending<Result>(text: string, send: () => Promise<Result>): Promise<Result> {
  try {
    return await send();
  } catch (error) {
    if (isStalePreparedStatement(error)) renew(text);
    throw error;
  }
}

/** `text` with `values` as a query config: named when `text` is a registered statement. */
export function queryConfigOf(text: string, values: readonly unknown[]): pg.QueryConfig {
  const name = names.get(text);
  return name === undefined
    ? { text, values: values as unknown[] }
    : { name, text, values: values as unknown[] };
}

const patched = new WeakSet<pg.ClientBase>();

/**
 * Makes `client.query(text, values)` send registered statements by name. Patched once per
 * client (the pool hands the same clients out again); other queries pass through unchanged.
 */
export function sendPrepared<Client extends pg.ClientBase>(client: Client): Client {
  if (patched.has(client)) return client;
  patched.add(client);
  const original = client.query as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = function (
    this: pg.ClientBase,
    config: unknown,
    values?: unknown,
    callback?: unknown,
  ) {
    if (
      typeof config === "string" &&
      Array.isArray(values) &&
      callback === undefined &&
      names.has(config)
    )
      return sending(
        config,
        () => original.call(this, queryConfigOf(config, values)) as Promise<unknown>,
      );
    return original.call(this, config, values, callback);
  };
  return client;
}

/** `pool.query` of `text` as a prepared statement when registered (see `sendPrepared`). */
export function queryPrepared<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[],
): Promise<pg.QueryResult<Row>> {
  return sending(text, () => pool.query<Row>(queryConfigOf(text, values)));
}
