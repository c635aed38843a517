// npm run bench:console-list — what opening the operator console costs as conversations
// accumulate: a SQLite mailbox (filled through its own API, one answered customer message
// per conversation, a few dead letters and handoffs among the oldest) and the console's list
// (`GET /api/conversations`, through createRuntimeConsoleDeps) timed at each size. Baseline
// in the same run: the same console over the same mailbox without `activeConversations`,
// which lists every known conversation (what the console did before). Prints ms per list
// and conversations listed; writes bench/results/console-list.json. BENCH_SCALE_MAX (default
// 100000) and BENCH_SCALE_SIZES (comma-separated) pick the sizes; `--store postgres` uses a
// fresh schema on SWITCHBOARD_BENCH_DATABASE_URL (else SWITCHBOARD_TEST_DATABASE_URL, else the
// local server) instead of SQLite.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { functionAgent } from "../dist/agents/index.js";
import { createRuntimeConsoleDeps } from "../dist/console/adapter/runtime-console-deps.js";
import { createSwitchboard } from "../dist/runtime/index.js";
import { inboundMessage } from "./inbound-message.mjs";
import { scaleSizes, scaleStore } from "./scale-store.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sizes = scaleSizes();
const { store, mailbox, analyze, remove } = scaleStore("console");
const switchboard = createSwitchboard({
  webhook: { verify: false },
  provider: { sendMessage: async () => ({ id: "IM0" }), listMessages: async function* () {} },
  mailbox,
  agent: functionAgent(() => "unused"),
  catchUp: { intervalMs: 0 },
});
const consoleOver = (store) =>
  createRuntimeConsoleDeps({
    switchboard: { ...switchboard, mailbox: store },
    info: { mode: "serve", channels: ["sms"], numbers: {} },
    sendAsHuman: async () => ({}),
  });
const current = consoleOver(mailbox);
// The baseline: the same store, minus the query, so the console lists every known one.
const everyKnown = consoleOver(
  new Proxy(mailbox, {
    get: (target, name) =>
      name === "activeConversations" ? undefined : Reflect.get(target, name, target),
  }),
);

let filled = 0;
async function fillTo(count) {
  const start = Date.now() - 86_400_000;
  const batch = [];
  for (; filled < count; filled++) {
    batch.push(
      mailbox.ingest(
        inboundMessage(filled, 0, {
          dateCreated: start + filled,
          receivedAt: start + filled,
          customerAddress: `+1555${String(filled).padStart(7, "0")}`,
        }),
      ),
    );
    if (batch.length >= 256) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function timed(deps) {
  const runs = [];
  let listed = 0;
  // The median of three, or one run when a list takes seconds.
  for (let run = 0; run < 3 && !(runs[0] > 5_000); run++) {
    const begin = performance.now();
    listed = (await deps.listConversations()).length;
    runs.push(performance.now() - begin);
  }
  return { ms: Math.round(runs.sort((a, b) => a - b)[runs.length >> 1]), listed };
}

const loadAtStart = loadavg();
const rows = [];
for (const size of sizes) {
  await fillTo(size);
  // Fresh planner statistics, as autovacuum keeps them in a service that grew over days: a
  // table grown tenfold in seconds still has the statistics of its small size, and plans
  // made for those (a sequential scan per conversation read) would be measured instead.
  await analyze(["conversations", "messages"]);
  // BENCH_BASELINE=0 skips the baseline (minutes at 100k on PostgreSQL).
  const baseline =
    process.env.BENCH_BASELINE === "0" ? { ms: null, listed: null } : await timed(everyKnown);
  const list = await timed(current);
  rows.push({ conversations: size, baseline, current: list });
  console.log(
    `${store} ${String(size).padStart(8)} conversations: every known ${String(baseline.ms).padStart(7)} ms (${baseline.listed} listed)   console ${String(list.ms).padStart(5)} ms (${list.listed} listed)`,
  );
}
await switchboard.close();
await remove();
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "console-list.json"),
  `${JSON.stringify({ store, cpus: cpus().length, loadAtStart, rows }, null, 2)}\n`,
);
