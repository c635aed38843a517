// Shared by bench:dead-letters and bench:outage: one claim's cost on a fresh mailbox of each
// store, at each size, printed beside the smallest size of the same run.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { adminQuery, benchDatabaseUrl as databaseUrl } from "./bench-database.mjs";

/** The stores `--store sqlite|postgres|both` (default both) names. */
export function storesFromArguments() {
  const flag = process.argv.indexOf("--store");
  const which = flag === -1 ? "both" : process.argv[flag + 1];
  return which === "both" ? ["sqlite", "postgres"] : [which];
}

/**
 * Opens a fresh mailbox of `store` with `options`, lets `fill(mailbox)` prepare it, VACUUM
 * ANALYZEs `tables` on PostgreSQL (as autovacuum keeps them in a running service), then times
 * `claim(mailbox)` seven times and answers the median in ms. Drops everything afterwards.
 */
export async function medianClaimMs(store, options, { fill, tables, claim }) {
  const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-claim-"));
  const schema = `bench_claim_${randomBytes(6).toString("hex")}`;
  const mailbox =
    store === "postgres"
      ? postgresMailbox({ ...options, connectionString: databaseUrl, schema })
      : sqliteMailbox({ ...options, path: join(folder, "mailbox.db") });
  try {
    await fill(mailbox);
    if (store === "postgres")
      await adminQuery(`VACUUM ANALYZE ${tables.map((table) => `${schema}.${table}`).join(", ")}`);
    const times = [];
    for (let run = 0; run < 7; run++) {
      const begin = performance.now();
      const after = await claim(mailbox);
      times.push(performance.now() - begin);
      await after();
    }
    return Math.round(times.sort((a, b) => a - b)[3] * 100) / 100;
  } finally {
    await mailbox.close();
    rmSync(folder, { recursive: true, force: true });
    if (store === "postgres") await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
  }
}

/** Runs `measure(store, size)` for every store and size; prints each beside the first size. */
export async function printBesideSmallest(sizes, describe, measure) {
  for (const store of storesFromArguments()) {
    let baseline;
    for (const size of sizes) {
      const ms = await measure(store, size);
      baseline ??= ms;
      console.log(
        `${store.padEnd(8)} ${describe(size)}: claim ${String(ms).padStart(6)} ms (× ${(ms / baseline).toFixed(2)} of ${sizes[0]})`,
      );
    }
  }
}
