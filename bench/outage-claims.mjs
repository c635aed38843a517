// npm run bench:outage — what a send claim costs while Twilio is down: every conversation's
// oldest reply waits for its retry with more replies queued behind it, and one conversation
// elsewhere can be answered. For each store and size: a fresh mailbox, that many
// conversations with three replies each, every head settled as a failed try to retry in an
// hour, then the median of seven claims (each takes the one reply that can go). The smallest
// size is the baseline of the same run. PostgreSQL tables are VACUUM ANALYZEd first, as
// autovacuum keeps them in a running service. BENCH_OUTAGE_SIZES (default 100,3000);
// `--store sqlite|postgres|both` (default both); SWITCHBOARD_BENCH_DATABASE_URL, else
// SWITCHBOARD_TEST_DATABASE_URL, else the local server.
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
const sizes = (process.env.BENCH_OUTAGE_SIZES ?? "100,3000").split(",").map(Number);
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

async function measure(store, conversations) {
  const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-outage-"));
  const schema = `bench_outage_${randomBytes(6).toString("hex")}`;
  const options = { settleWindowMs: 0 };
  const mailbox =
    store === "postgres"
      ? postgresMailbox({ ...options, connectionString: databaseUrl, schema })
      : sqliteMailbox({ ...options, path: join(folder, "mailbox.db") });
  const reply = (body) => ({ body });
  try {
    for (let start = 0; start < conversations; start += 256)
      await Promise.all(
        Array.from({ length: Math.min(256, conversations - start) }, (_, n) =>
          mailbox.ingest(inboundMessage(start + n)),
        ),
      );
    for (;;) {
      const leases = await mailbox.claim("worker", 200, 30_000);
      if (leases.length === 0) break;
      await Promise.all(
        leases.map((lease) => mailbox.complete(lease, [reply("a"), reply("b"), reply("c")])),
      );
    }
    for (;;) {
      const heads = await mailbox.claimOutbox("sender", 500, 30_000);
      if (heads.length === 0) break;
      await Promise.all(
        heads.map((head) =>
          mailbox.settleOutbox(head, { retryAt: Date.now() + 3_600_000, error: "Twilio 503" }),
        ),
      );
    }
    await mailbox.ingest(inboundMessage(conversations + 1));
    const [lease] = await mailbox.claim("worker", 1, 30_000);
    await mailbox.complete(lease, [reply("fresh")]);
    if (store === "postgres") await sql(`VACUUM ANALYZE ${schema}.outbox`);
    const times = [];
    for (let run = 0; run < 7; run++) {
      const begin = performance.now();
      const items = await mailbox.claimOutbox("probe", 10, 30_000);
      times.push(performance.now() - begin);
      if (items.length !== 1) throw new Error(`claimed ${items.length}, expected the fresh one`);
      await mailbox.settleOutbox(items[0], { retryAt: 0, error: "again" });
    }
    return Math.round(times.sort((a, b) => a - b)[3] * 100) / 100;
  } finally {
    await mailbox.close();
    rmSync(folder, { recursive: true, force: true });
    if (store === "postgres") await sql(`DROP SCHEMA ${schema} CASCADE`);
  }
}

for (const store of stores) {
  let baseline;
  for (const conversations of sizes) {
    const claimMs = await measure(store, conversations);
    baseline ??= claimMs;
    console.log(
      `${store.padEnd(8)} ${String(conversations).padStart(6)} conversations in backoff (${conversations * 3} open replies): claim ${String(claimMs).padStart(6)} ms (× ${(claimMs / baseline).toFixed(2)} of ${sizes[0]})`,
    );
  }
}
