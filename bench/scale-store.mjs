// Shared by the benchmarks that fill one mailbox to growing sizes (console-list,
// customer-list): the sizes to measure and the store to fill, SQLite in a temporary folder
// or PostgreSQL on a fresh schema (`--store postgres`), dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { adminQuery, benchDatabaseUrl as databaseUrl } from "./bench-database.mjs";

/**
 * The sizes to fill to: 1k, 10k and 100k up to BENCH_SCALE_MAX (default 100000), or the
 * comma-separated BENCH_SCALE_SIZES.
 */
export function scaleSizes() {
  const max = Number(process.env.BENCH_SCALE_MAX ?? 100_000);
  return process.env.BENCH_SCALE_SIZES === undefined
    ? [1_000, 10_000, 100_000].filter((size) => size <= max)
    : process.env.BENCH_SCALE_SIZES.split(",").map(Number);
}

/**
 * The store named by `--store` (sqlite, the default, or postgres on `benchDatabaseUrl`),
 * its mailbox, `analyze(tables)` (fresh planner statistics on PostgreSQL, as autovacuum keeps
 * them in a service that grew over days; nothing on SQLite) and `remove()` for the end.
 */
export function scaleStore(name) {
  const store = process.argv.includes("--store")
    ? process.argv[process.argv.indexOf("--store") + 1]
    : "sqlite";
  const schema = `bench_${name}_${randomBytes(6).toString("hex")}`;
  const folder = mkdtempSync(join(tmpdir(), `switchboard-bench-${name}-`));
  const mailbox =
    store === "postgres"
      ? postgresMailbox({ connectionString: databaseUrl, schema })
      : sqliteMailbox({ path: join(folder, "mailbox.db") });
  return {
    store,
    mailbox,
    async analyze(tables) {
      if (store === "postgres")
        await adminQuery(`ANALYZE ${tables.map((table) => `${schema}.${table}`).join(", ")}`);
    },
    async remove() {
      rmSync(folder, { recursive: true, force: true });
      if (store === "postgres") await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
