// npm run bench:turns — turn latency end to end: a signed webhook in → the reply accepted by
// the provider (a stand-in for Twilio that accepts at once), with an instant agent, at 50,
// 200 and 500 messages/s (open loop) on SQLite and PostgreSQL in the same run, each store in
// its own server process on a fresh file/schema. Prints a table and writes
// bench/results/turns.json. BENCH_SECONDS (default 4 per rate), BENCH_RATES (default
// "50,200,500"), BENCH_STORES (default "sqlite,postgres"). Timestamps: this machine's clock.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { drained, latencies, openLoop, quantile, replies, startServer } from "./turn-load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rates = (process.env.BENCH_RATES ?? "50,200,500").split(",").map(Number);
const stores = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",");
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-turns-"));
const rows = [];
let block = 0;
try {
  for (const store of stores) {
    const where =
      store === "postgres"
        ? `bench_turns_${randomBytes(6).toString("hex")}`
        : join(folder, "mailbox.db");
    const server = await startServer(store, where);
    try {
      // Warm-up: connections, prepared statements, JIT.
      const warm = await openLoop(server.port, 50, 1, (i) => 1_000_000 + (i % 50));
      await drained(warm.sids, 10_000);
      for (const rate of rates) {
        // Each rate gets its own conversations; each conversation receives a message every ~2 s.
        block += 1;
        const spread = Math.max(10, rate * 2);
        const started = Date.now();
        const { sids, refused } = await openLoop(
          server.port,
          rate,
          seconds,
          (i) => block * 100_000 + (i % spread),
        );
        const missing = await drained(sids, 15_000);
        const answeredAt = sids.filter((sid) => replies.has(sid)).map((sid) => replies.get(sid));
        const sorted = latencies(sids);
        rows.push({
          store,
          rate,
          sent: sids.length,
          refused,
          unanswered: missing.length,
          answeredPerSecond: Math.round(
            answeredAt.length / ((Math.max(...answeredAt) - started) / 1000),
          ),
          p50Ms: quantile(sorted, 0.5),
          p99Ms: quantile(sorted, 0.99),
          maxMs: sorted.at(-1),
        });
        console.log(JSON.stringify(rows.at(-1)));
      }
    } finally {
      await server.stop();
      if (store === "postgres") await dropSchema(where);
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

console.log("\nstore     rate/s  sent  answered/s  p50 ms  p99 ms  max ms  unanswered  refused");
for (const row of rows)
  console.log(
    `${row.store.padEnd(9)} ${String(row.rate).padStart(6)} ${String(row.sent).padStart(5)} ${String(row.answeredPerSecond).padStart(11)} ${String(row.p50Ms).padStart(7)} ${String(row.p99Ms).padStart(7)} ${String(row.maxMs).padStart(7)} ${String(row.unanswered).padStart(11)} ${String(row.refused).padStart(8)}`,
  );
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "turns.json"),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), seconds, rows }, null, 2)}\n`,
);
