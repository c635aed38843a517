// npm run bench:customer-list — what the console's Customers page (`listCustomers`, 50 rows)
// costs as customers accumulate: a mailbox filled through its own API, each customer made on
// its first message (one conversation each), timed at each size. Baseline in the same run: a search
// whose text every customer's address holds (`+1555`), which reads every customer and all of
// their conversations, as the plain list did before it walked recent conversations. Prints ms
// per list; writes bench/results/customer-list.json. BENCH_SCALE_MAX (default 100000) and
// BENCH_SCALE_SIZES (comma-separated) pick the sizes; `--store postgres` uses a fresh schema on
// SWITCHBOARD_BENCH_DATABASE_URL (else SWITCHBOARD_TEST_DATABASE_URL, else the local server).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { inboundMessage } from "./inbound-message.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const max = Number(process.env.BENCH_SCALE_MAX ?? 100_000);
const sizes =
  process.env.BENCH_SCALE_SIZES === undefined
    ? [1_000, 10_000, 100_000].filter((size) => size <= max)
    : process.env.BENCH_SCALE_SIZES.split(",").map(Number);
const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-customers-"));
const store = process.argv.includes("--store")
  ? process.argv[process.argv.indexOf("--store") + 1]
  : "sqlite";
const schema = `bench_customers_${randomBytes(6).toString("hex")}`;
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const mailbox =
  store === "postgres"
    ? postgresMailbox({ connectionString: databaseUrl, schema })
    : sqliteMailbox({ path: join(folder, "mailbox.db") });

let filled = 0;
async function fillTo(count) {
  const batch = [];
  for (; filled < count; filled++) {
    const address = `+1555${String(filled).padStart(7, "0")}`;
    const first = filled;
    batch.push(
      mailbox.ensureCustomer({ kind: "sms", value: address }).then(() => {
        const at = Date.now();
        return mailbox.ingest(
          inboundMessage(first, 0, { dateCreated: at, receivedAt: at, customerAddress: address }),
        );
      }),
    );
    if (batch.length >= 256) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function analyze() {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `ANALYZE ${schema}.conversations, ${schema}.customers, ${schema}.customer_addresses`,
  );
  await client.end();
}

/** The median of three lists (one when a list takes seconds). */
async function timed(options) {
  const runs = [];
  let listed = 0;
  for (let run = 0; run < 3 && !(runs[0] > 5_000); run++) {
    const begin = performance.now();
    listed = (await mailbox.listCustomers(options)).length;
    runs.push(performance.now() - begin);
  }
  return { ms: Math.round(runs.sort((a, b) => a - b)[runs.length >> 1] * 10) / 10, listed };
}

const loadAtStart = loadavg();
const rows = [];
try {
  for (const size of sizes) {
    await fillTo(size);
    // Fresh planner statistics, as autovacuum keeps them in a service that grew over days.
    if (store === "postgres") await analyze();
    const baseline = await timed({ search: "+1555" });
    const list = await timed({});
    rows.push({ customers: size, baseline, current: list });
    console.log(
      `${store} ${String(size).padStart(8)} customers: reading every customer ${String(baseline.ms).padStart(8)} ms   list ${String(list.ms).padStart(6)} ms (${list.listed} listed)`,
    );
  }
} finally {
  await mailbox.close();
  rmSync(folder, { recursive: true, force: true });
  if (store === "postgres") {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "customer-list.json"),
  `${JSON.stringify({ store, cpus: cpus().length, loadAtStart, rows }, null, 2)}\n`,
);
