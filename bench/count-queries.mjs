// node bench/count-queries.mjs (after npm run build): statements PostgreSQL runs per answered
// message on the turn path. One PostgreSQL server process with BENCH_COUNT_QUERIES=1, a 50
// msg/s open loop for BENCH_SECONDS (default 4), drained; prints statements per reply by kind.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { drained, openLoop, startServer } from "./turn-load.mjs";

process.env.BENCH_COUNT_QUERIES = "1";
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rate = Number(process.env.BENCH_RATE ?? 50);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const schema = `bench_count_${randomBytes(6).toString("hex")}`;
const server = await startServer("postgres", schema);
try {
  const before = await server.queries();
  const { sids } = await openLoop(server.port, rate, seconds, (i) => 500_000 + (i % (rate * 2)));
  await drained(sids, 15_000);
  const after = await server.queries();
  const replies = after.sent - before.sent;
  const earlier = new Map(before.counts);
  const rows = after.counts
    .map(([text, count]) => [text, count - (earlier.get(text) ?? 0)])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, count]) => sum + count, 0);
  console.log(`${replies} replies, ${(total / replies).toFixed(2)} statements per reply`);
  for (const [text, count] of rows)
    console.log(`${(count / replies).toFixed(2).padStart(6)}  ${text}`);
} finally {
  await server.stop();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
