// npm run bench:dead-letters — what a turn claim costs as dead letters pile up (an agent or
// model outage dead-letters conversations faster than operators retry them, and customers
// keep writing to them). For each store and size: a fresh mailbox (maxAttempts 1), that many
// conversations dead-lettered with a second message arriving after, one live conversation
// behind them, then the median of seven claims. The smallest size is the baseline of the same
// run. PostgreSQL tables are VACUUM ANALYZEd first, as autovacuum keeps them in a running
// service. BENCH_DEAD_SIZES (default 100,10000); `--store sqlite|postgres|both` (default both);
// SWITCHBOARD_BENCH_DATABASE_URL, else SWITCHBOARD_TEST_DATABASE_URL, else the local server.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { inboundMessage } from "./inbound-message.mjs";

const flag = process.argv.indexOf("--store");
const which = flag === -1 ? "both" : process.argv[flag + 1];
const stores = which === "both" ? ["sqlite", "postgres"] : [which];
const sizes = (process.env.BENCH_DEAD_SIZES ?? "100,10000").split(",").map(Number);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

async function sql(text) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function measure(store, dead) {
  const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-dead-"));
  const schema = `bench_dead_${randomBytes(6).toString("hex")}`;
  const options = { maxAttempts: 1, settleWindowMs: 0 };
  const mailbox =
    store === "postgres"
      ? postgresMailbox({ ...options, connectionString: databaseUrl, schema })
      : sqliteMailbox({ ...options, path: join(folder, "mailbox.db") });
  try {
    for (const index of [0, 1]) {
      if (index === 1)
        for (;;) {
          const leases = await mailbox.claim("filler", 200, 30_000);
          if (leases.length === 0) break;
          await Promise.all(leases.map((lease) => mailbox.fail(lease, "model down", Date.now())));
        }
      for (let start = 0; start < dead; start += 256)
        await Promise.all(
          Array.from({ length: Math.min(256, dead - start) }, (_, n) =>
            mailbox.ingest(inboundMessage(start + n, index, { body: "hello?" })),
          ),
        );
    }
    await mailbox.ingest(inboundMessage(dead + 1));
    if (store === "postgres")
      await sql(`VACUUM ANALYZE ${schema}.messages, ${schema}.conversations`);
    const times = [];
    for (let run = 0; run < 7; run++) {
      const begin = performance.now();
      const leases = await mailbox.claim("probe", 10, 30_000);
      times.push(performance.now() - begin);
      if (leases.length !== 1) throw new Error(`claimed ${leases.length}, expected the live one`);
      await mailbox.release(leases[0]);
    }
    const { deadLetters } = await mailbox.stats();
    return { deadLetters, claimMs: Math.round(times.sort((a, b) => a - b)[3] * 100) / 100 };
  } finally {
    await mailbox.close();
    rmSync(folder, { recursive: true, force: true });
    if (store === "postgres") await sql(`DROP SCHEMA ${schema} CASCADE`);
  }
}

for (const store of stores) {
  let baseline;
  for (const dead of sizes) {
    const { deadLetters, claimMs } = await measure(store, dead);
    baseline ??= claimMs;
    console.log(
      `${store.padEnd(8)} ${String(deadLetters).padStart(7)} dead letters: claim ${String(claimMs).padStart(6)} ms (× ${(claimMs / baseline).toFixed(2)} of ${sizes[0]})`,
    );
  }
}
