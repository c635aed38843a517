// npm run bench:scale — the cost per message as the mailbox grows: one switchboard (its own
// process, instant agent, a stand-in provider) is filled with conversations (one message and
// its reply each), and at 1k, 10k (and 100k with BENCH_SCALE_MAX=100000) conversations a
// measurement window runs new messages to existing conversations at a fixed rate. Prints, per
// size: answered/s, p50/p99 (webhook in → reply accepted), RSS and heap after a settle pause
// and a full GC (and what the RSS is made of), and the time one /metrics render takes (median
// of 5); the 1k row is the baseline of the same run. Then **memory per idle conversation**:
// the RSS each conversation added between 10k and the largest size, so what grows once and
// then stays (V8's young generation, SQLite's page caches reaching their bound) is not spread
// over the count. Writes bench/results/scale.json. BENCH_SCALE_STORE (sqlite | postgres,
// default sqlite), BENCH_SCALE_MAX (default 10000), BENCH_SCALE_SIZES (comma-separated, instead
// of 1k/10k/100k up to the max), BENCH_SECONDS (default 4), BENCH_RATE (default 200/s),
// BENCH_FILL_IN_FLIGHT (the fill is a closed loop: this many messages awaiting their reply at a
// time, default 32, so it runs as fast as the server answers and never builds a backlog), or
// BENCH_FILL_RATE (an open-loop fill at this many messages/s instead), BENCH_SETTLE_MS (idle
// pause before each memory reading, default 3000).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  closedLoop,
  drained,
  latencies,
  openLoop,
  quantile,
  replies,
  startServer,
} from "./turn-load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const store = process.env.BENCH_SCALE_STORE ?? "sqlite";
const max = Number(process.env.BENCH_SCALE_MAX ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rate = Number(process.env.BENCH_RATE ?? 200);
const fillRate =
  process.env.BENCH_FILL_RATE === undefined ? undefined : Number(process.env.BENCH_FILL_RATE);
const fillInFlight = Number(process.env.BENCH_FILL_IN_FLIGHT ?? 32);
const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 3_000);
const sizes =
  process.env.BENCH_SCALE_SIZES === undefined
    ? [1_000, 10_000, 100_000, 1_000_000].filter((size) => size <= max)
    : process.env.BENCH_SCALE_SIZES.split(",").map(Number);
const mib = (bytes) => (bytes === undefined ? undefined : Math.round((bytes / 2 ** 20) * 10) / 10);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-scale-"));
const where =
  store === "postgres"
    ? `bench_scale_${randomBytes(6).toString("hex")}`
    : join(folder, "mailbox.db");
const loadAtStart = loadavg();
const server = await startServer(store, where);
const rows = [];
let filled = 0;
let idle;
try {
  idle = await server.stats();
  let previous;
  for (const size of sizes) {
    // Fill: new conversations, each one message, answered before the window starts.
    const fillStarted = Date.now();
    const base = filled;
    let unfilled;
    if (fillRate === undefined) {
      const fill = await closedLoop(server.port, size - filled, fillInFlight, (i) => base + i);
      unfilled = fill.missing;
    } else {
      const fill = await openLoop(
        server.port,
        fillRate,
        (size - filled) / fillRate,
        (i) => base + i,
      );
      unfilled = await drained(fill.sids, 120_000);
    }
    const fillSeconds = (Date.now() - fillStarted) / 1000;
    const fillPerSecond = Math.round((size - filled) / fillSeconds);
    filled = size;
    // Idle, then a full GC (in the server): the reading is what idle conversations hold.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const memory = await server.stats();
    // /metrics at this size: the median of five scrapes (the first warms up).
    const scrapes = [];
    for (let scrape = 0; scrape < 5; scrape++) scrapes.push(await server.metrics());
    const metricsMs = scrapes.sort((a, b) => a - b)[2];
    // Window: new messages to conversations spread over everything stored.
    const started = Date.now();
    const { sids, refused } = await openLoop(server.port, rate, seconds, (i) => (i * 7919) % size);
    const missing = await drained(sids, 30_000);
    const answeredAt = sids.filter((sid) => replies.has(sid)).map((sid) => replies.get(sid));
    const sorted = latencies(sids);
    rows.push({
      conversations: size,
      fillSeconds: Math.round(fillSeconds * 10) / 10,
      fillPerSecond,
      unfilled: unfilled.length,
      answeredPerSecond: Math.round(
        answeredAt.length / ((Math.max(...answeredAt) - started) / 1000),
      ),
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      unanswered: missing.length,
      refused,
      rssMiB: Math.round(memory.rss / 2 ** 20),
      heapMiB: Math.round(memory.heap / 2 ** 20),
      metricsMs,
      rssBytesPerConversation: Math.round((memory.rss - idle.rss) / size),
      // What each conversation added since the previous size: the figure above also spreads
      // over the conversations what fills once and then stays (V8's young generation grown
      // to its maximum, SQLite's page caches), so it falls as the size grows.
      rssBytesPerAddedConversation:
        previous === undefined
          ? null
          : Math.round((memory.rss - previous.rss) / (size - previous.size)),
      heapBytesPerConversation: Math.round((memory.heap - idle.heap) / size),
      // MiB: this thread's V8 heap used and committed, buffers, and the process's anonymous
      // memory (V8 heaps of both threads, malloc arenas: SQLite page caches), file-backed
      // pages, and of those the WAL index (the mapped -shm file).
      parts: Object.fromEntries(
        Object.entries(memory.parts).map(([key, bytes]) => [key, mib(bytes)]),
      ),
      rssBytes: memory.rss,
    });
    console.log(JSON.stringify({ ...rows.at(-1), rssBytes: undefined }));
    previous = { rss: memory.rss, size };
  }
} finally {
  await server.stop();
  rmSync(folder, { recursive: true, force: true });
  if (store === "postgres") {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${where}" CASCADE`);
    await client.end();
  }
}
const base = rows[0];
console.log(
  `\n${store}: conversations  answered/s  (× 1k)  p50 ms  p99 ms  RSS MiB  heap MiB  RSS B/conv  heap B/conv  /metrics ms  RSS B/added conv`,
);
for (const row of rows)
  console.log(
    `${String(row.conversations).padStart(22)} ${String(row.answeredPerSecond).padStart(11)} ${(row.answeredPerSecond / base.answeredPerSecond).toFixed(2).padStart(7)} ${String(row.p50Ms).padStart(7)} ${String(row.p99Ms).padStart(7)} ${String(row.rssMiB).padStart(8)} ${String(row.heapMiB).padStart(9)} ${String(row.rssBytesPerConversation).padStart(11)} ${String(row.heapBytesPerConversation).padStart(12)} ${String(row.metricsMs).padStart(12)} ${String(row.rssBytesPerAddedConversation ?? "-").padStart(17)}`,
  );
console.log(
  `\nwhat the RSS is made of, MiB (idle: RSS ${mib(idle.rss)}, ${JSON.stringify(Object.fromEntries(Object.entries(idle.parts).map(([key, bytes]) => [key, mib(bytes)])))})`,
);
for (const row of rows)
  console.log(`${String(row.conversations).padStart(10)} ${JSON.stringify(row.parts)}`);
// Memory per idle conversation: RSS added per conversation from 10k (or the smallest size)
// to the largest, each reading idle after a settle pause and a full GC.
const from = rows.find((row) => row.conversations >= 10_000 && row !== rows.at(-1)) ?? rows[0];
const to = rows.at(-1);
const perIdleConversation =
  from === to
    ? null
    : Math.round((to.rssBytes - from.rssBytes) / (to.conversations - from.conversations));
console.log(
  `\nmemory per idle conversation (RSS added from ${from.conversations} to ${to.conversations} conversations, over the ${to.conversations - from.conversations} added): ${perIdleConversation ?? "-"} B`,
);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "scale.json"),
  `${JSON.stringify({ date: new Date().toISOString(), store, cpus: cpus().length, loadAtStart, loadavg: loadavg(), rate, seconds, fill: fillRate === undefined ? { inFlight: fillInFlight } : { rate: fillRate }, settleMs, idle, memoryPerIdleConversation: { from: from.conversations, to: to.conversations, bytes: perIdleConversation }, rows }, null, 2)}\n`,
);
