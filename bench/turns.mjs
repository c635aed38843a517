// npm run bench:turns — turn latency end to end: a signed webhook in → the reply accepted by
// the provider (a stand-in for Twilio that accepts at once), with an instant agent, at 50,
// 200 and 500 messages/s (open loop) on SQLite and PostgreSQL in the same run, each store in
// its own server process on a fresh file/schema. Prints a table and writes
// bench/results/turns.json. BENCH_SECONDS (default 4 per rate), BENCH_RATES (default
// "50,200,500"), BENCH_STORES (default "sqlite,postgres"). Timestamps: this machine's clock.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * CPU seconds the process `pid` (all its threads) has used so far, user and system, from
 * /proc/<pid>/stat (Linux; undefined elsewhere): fields 14 and 15, in clock ticks of 1/100 s.
 */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after it start past its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return undefined;
  }
}

/** Milliseconds of `kind` CPU per answered message between two `cpuSeconds` readings. */
function cpuMsPer(before, after, answered, kind) {
  if (before === undefined || after === undefined || answered === 0) return null;
  const seconds =
    kind === "total"
      ? after.user + after.system - before.user - before.system
      : after[kind] - before[kind];
  return Number(((seconds * 1000) / answered).toFixed(2));
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
        const cpuBefore = cpuSeconds(server.child.pid);
        const claimsBefore = await server.claims();
        const { sids, refused } = await openLoop(
          server.port,
          rate,
          seconds,
          (i) => block * 100_000 + (i % spread),
        );
        const missing = await drained(sids, 15_000);
        const cpuAfter = cpuSeconds(server.child.pid);
        const claimsAfter = await server.claims();
        const perAnswer = (key) =>
          answeredAt.length === 0
            ? null
            : Number(((claimsAfter[key] - claimsBefore[key]) / answeredAt.length).toFixed(2));
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
          // The server process's CPU (all its threads) per answered message, ms.
          cpuMsPerAnswer: cpuMsPer(cpuBefore, cpuAfter, answeredAt.length, "total"),
          systemCpuMsPerAnswer: cpuMsPer(cpuBefore, cpuAfter, answeredAt.length, "system"),
          // Claims per answered message, and those that found nothing (useless wake-ups).
          turnClaimsPerAnswer: perAnswer("turns"),
          emptyTurnClaimsPerAnswer: perAnswer("emptyTurns"),
          sendClaimsPerAnswer: perAnswer("sends"),
          emptySendClaimsPerAnswer: perAnswer("emptySends"),
          loadavg: loadavg().map((value) => Number(value.toFixed(2))),
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

console.log(
  "\nstore     rate/s  sent  answered/s  p50 ms  p99 ms  max ms  unanswered  refused  cpu ms/answer (sys)  load",
);
for (const row of rows)
  console.log(
    `${row.store.padEnd(9)} ${String(row.rate).padStart(6)} ${String(row.sent).padStart(5)} ${String(row.answeredPerSecond).padStart(11)} ${String(row.p50Ms).padStart(7)} ${String(row.p99Ms).padStart(7)} ${String(row.maxMs).padStart(7)} ${String(row.unanswered).padStart(11)} ${String(row.refused).padStart(8)} ${String(row.cpuMsPerAnswer).padStart(14)} (${row.systemCpuMsPerAnswer})  ${row.loadavg[0]}`,
  );
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "turns.json"),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), seconds, rows }, null, 2)}\n`,
);
