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

/** Marks these statement texts to be sent as prepared statements from now on. */
export function registerPreparedStatements(texts: Iterable<unknown>): void {
  for (const text of texts) {
    if (typeof text !== "string" || names.has(text)) continue;
    names.set(text, `sb_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`);
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
    if (typeof config === "string" && Array.isArray(values) && names.has(config))
      return original.call(this, queryConfigOf(config, values), callback);
    return original.call(this, config, values, callback);
  };
  return client;
}
