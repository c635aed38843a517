// npm run bench:catch-up — the REST requests of one catch-up run over many known
// conversations, counted at the emulator, against its budget. 10,000 known conversations
// (each active recently); before each run, 20 of them get a message whose webhook never came. The budgeted
// run (BENCH_CATCH_UP_RPS, default 50 requests/s; the service's default is 5) lists the
// 1,000 most recently active (`maxConversationsPerRun`) and must never exceed its budget in
// any one second. The baseline of the same run: the same mailbox listed in full, one
// request per known conversation as fast as the emulator answers (what a run cost before
// the budget, less the participant listing per conversation it also made in a fresh
// process). BENCH_KNOWN (default 10000). Writes bench/results/catch-up.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  busiestSecond,
  countingEmulator,
  freePort,
  seedKnownConversations,
  startSwitchboard,
} from "./known-conversations.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const known = Number(process.env.BENCH_KNOWN ?? 10_000);
const budget = Number(process.env.BENCH_CATCH_UP_RPS ?? 50);
const lost = 20;
const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-catch-up-"));
const rows = [];
try {
  const { emulator, requests } = await countingEmulator();
  const path = join(folder, "mailbox.db");
  const sids = await seedKnownConversations(emulator, path, known);
  const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
  // Messages whose webhooks never came (REST writes fire none), in recent conversations.
  const loseSome = async (round) => {
    for (let n = 0; n < lost; n++)
      await service.conversations(sids[known - 1 - n]).messages.create({
        author: `+1555${String(known - 1 - n).padStart(7, "0")}`,
        body: `lost ${round}.${n}`,
      });
  };

  for (const mode of ["budgeted", "full listing"]) {
    const catchUp =
      mode === "budgeted"
        ? { intervalMs: 0, requestsPerSecond: budget }
        : { intervalMs: 0, requestsPerSecond: 1000, maxConversationsPerRun: known };
    const port = await freePort();
    const { switchboard, served } = await startSwitchboard(emulator, path, port, catchUp);
    // Let the start's own run finish, then time one run of its own.
    await switchboard.catchUp();
    await loseSome(mode);
    const before = requests.length;
    const started = Date.now();
    const result = await switchboard.catchUp();
    const runMs = Date.now() - started;
    // Catch-up's own requests: message and conversation listings. (The replies to the lost
    // messages go out meanwhile: their POSTs, and the sender's participant lookup in a
    // fresh process, are counted apart.)
    const made = requests.slice(before);
    const listings = made.filter(
      (request) => request.method === "GET" && !request.path.endsWith("/Participants"),
    );
    rows.push({
      mode,
      known,
      budgetPerSecond: catchUp.requestsPerSecond,
      requests: listings.length,
      countedByRun: result.requests,
      participantListings: made.filter((request) => request.path.endsWith("/Participants")).length,
      otherRequests: made.length - listings.length,
      busiestSecond: busiestSecond(listings.map((request) => request.at)),
      runMs,
      ingested: result.ingested,
    });
    console.log(JSON.stringify(rows.at(-1)));
    await served.close();
  }
  await emulator.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log(
  "\nmode          known  budget/s  listings  busiest second  run ms  ingested  participant GETs (sends)",
);
for (const row of rows)
  console.log(
    `${row.mode.padEnd(12)} ${String(row.known).padStart(6)} ${String(row.budgetPerSecond).padStart(9)} ${String(row.requests).padStart(9)} ${String(row.busiestSecond).padStart(15)} ${String(row.runMs).padStart(7)} ${String(row.ingested).padStart(9)} ${String(row.participantListings).padStart(25)}`,
  );
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} on ${cpus().length} cores`,
);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "catch-up.json"),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), rows }, null, 2)}\n`,
);
