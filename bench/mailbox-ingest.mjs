// node bench/mailbox-ingest.mjs [sqlite|postgres|both] — the mailbox layer alone, no HTTP:
// 20 000 distinct inbound messages (BENCH_MESSAGES) over 500 conversations, 64 concurrent
// producers calling `ingest`, on a fresh SQLite file (writer thread) and/or a fresh
// PostgreSQL schema (dropped afterwards). Prints messages/s and this process's CPU time per
// message (PostgreSQL's own CPU is not in it). Run `npm run build` first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";

const which = process.argv[2] ?? "both";
const total = Number(process.env.BENCH_MESSAGES ?? 20_000);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

const message = (i) => ({
  conversationSid: `CH${String(i % 500).padStart(32, "0")}`,
  messageSid: `IM${process.pid}x${i}`.padEnd(34, "0"),
  index: Math.floor(i / 500),
  author: "+15550001111",
  body: `hello there ${i}`,
  media: [],
  attributes: {},
  channel: "sms",
  source: "SMS",
  dateCreated: Date.now(),
  receivedAt: Date.now(),
  role: "customer",
  customerAddress: "+15550001111",
  proxyAddress: "+15550002222",
  idempotencyToken: `token-${process.pid}-${i}`,
});

async function run(store, mailbox) {
  await mailbox.start?.();
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < total) await mailbox.ingest(message(next++));
    }),
  );
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await mailbox.close();
  console.log(
    `${store.padEnd(9)} ${Math.round((total / elapsed) * 1000)} messages/s, ` +
      `${Math.round((used.user + used.system) / total)} µs CPU per message in this process`,
  );
}

if (which !== "postgres") {
  const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-mailbox-"));
  try {
    await run("sqlite", sqliteMailbox({ path: join(folder, "mailbox.db") }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
if (which !== "sqlite") {
  const schema = `bench_mailbox_${process.pid}`;
  try {
    await run("postgres", postgresMailbox({ connectionString: databaseUrl, schema }));
  } finally {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  }
}
