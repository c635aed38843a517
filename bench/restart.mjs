// npm run bench:restart — a restart with many known conversations: the time from starting
// the switchboard (after an outage of 10 minutes, recorded by the alive-at heartbeat) to
// the first reply to a message sent right then, and the REST requests made meanwhile. The
// same with an empty mailbox is the baseline of the same run. Catch-up runs beside the
// workers within its budget (default 5 requests/s), so the first reply does not wait for
// it. BENCH_KNOWN (default 10000). Writes bench/results/restart.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import {
  countingEmulator,
  freePort,
  seedKnownConversations,
  startSwitchboard,
} from "./known-conversations.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const known = Number(process.env.BENCH_KNOWN ?? 10_000);
const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-restart-"));
const rows = [];
try {
  // The first run warms the code up (not recorded); then the baseline and the measured one.
  for (const [run, count] of [0, 0, known].entries()) {
    const { emulator, requests } = await countingEmulator();
    const path = join(folder, `restart-${count}.db`);
    const seedStarted = Date.now();
    await seedKnownConversations(emulator, path, count);
    const seedMs = Date.now() - seedStarted;
    // The service was up until 10 minutes ago: its last heartbeat and catch-up say so.
    const mailbox = sqliteMailbox({ path });
    const tenMinutesAgo = String(Date.now() - 10 * 60_000);
    await mailbox.setMeta("catchUp.aliveAt", tenMinutesAgo);
    await mailbox.setMeta("catchUp.lastStartedAt", tenMinutesAgo);
    await mailbox.setMeta("catchUp.installedAt", String(Date.now() - 60 * 60_000));
    await mailbox.close();

    const port = await freePort();
    const before = requests.length;
    const started = Date.now();
    const { served } = await startSwitchboard(emulator, path, port, { intervalMs: 60_000 });
    const customer = emulator.customer({ channel: "sms", address: "+15559990001" });
    await customer.send("hello after the restart");
    while (customer.messages().length === 0) await new Promise((r) => setTimeout(r, 5));
    const firstReplyMs = Date.now() - started;
    const during = requests.slice(before).filter((request) => request.at <= started + firstReplyMs);
    if (run > 0)
      rows.push({
        known: count,
        firstReplyMs,
        restRequestsBeforeFirstReply: during.length,
        seedMs,
      });
    if (run > 0) console.log(JSON.stringify(rows.at(-1)));
    await served.close();
    await emulator.close();
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log("\nknown conversations  first reply after start ms  REST requests before it");
for (const row of rows)
  console.log(
    `${String(row.known).padStart(19)}  ${String(row.firstReplyMs).padStart(27)}  ${String(row.restRequestsBeforeFirstReply).padStart(23)}`,
  );
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} on ${cpus().length} cores`,
);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "restart.json"),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), rows }, null, 2)}\n`,
);
