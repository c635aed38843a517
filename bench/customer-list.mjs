// npm run bench:customer-list — what the console's Customers page (`listCustomers`, 50 rows)
// costs as customers accumulate: a mailbox filled through its own API, each customer made on
// its first message (one conversation each), timed at each size. Baseline in the same run: a search
// whose text every customer's address holds (`+1555`), which reads every customer and all of
// their conversations, as the plain list did before it walked recent conversations. Prints ms
// per list; writes bench/results/customer-list.json. BENCH_SCALE_MAX (default 100000) and
// BENCH_SCALE_SIZES (comma-separated) pick the sizes; `--store postgres` uses a fresh schema on
// SWITCHBOARD_BENCH_DATABASE_URL (else SWITCHBOARD_TEST_DATABASE_URL, else the local server).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inboundMessage } from "./inbound-message.mjs";
import { scaleSizes, scaleStore } from "./scale-store.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sizes = scaleSizes();
const { store, mailbox, analyze, remove } = scaleStore("customers");

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
    await analyze(["conversations", "customers", "customer_addresses"]);
    const baseline = await timed({ search: "+1555" });
    const list = await timed({});
    rows.push({ customers: size, baseline, current: list });
    console.log(
      `${store} ${String(size).padStart(8)} customers: reading every customer ${String(baseline.ms).padStart(8)} ms   list ${String(list.ms).padStart(6)} ms (${list.listed} listed)`,
    );
  }
} finally {
  await mailbox.close();
  await remove();
}
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "customer-list.json"),
  `${JSON.stringify({ store, cpus: cpus().length, loadAtStart, rows }, null, 2)}\n`,
);
