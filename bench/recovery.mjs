// npm run bench:recovery — kill -9 → drained. SQLite: one switchboard is killed mid-stream
// and restarted on the same file at once. PostgreSQL: two instances share a schema, one is
// killed mid-stream and not restarted; the survivor takes over its leases once its liveness
// lapses. Each store also runs the same load without a kill (the baseline of the same run).
// The agent takes 50 ms and each send 20 ms, so turns and sends are in flight at the
// kill; webhooks refused by the dead process are sent again 1 s later to a live one (as
// Twilio retries). Prints, per store: the time from the kill and from the last send to the
// last reply, and how many messages went unanswered (must be 0). Writes
// bench/results/recovery.json. BENCH_STORES (default "sqlite,postgres").
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { drained, replies, sendMessage, startServer } from "./turn-load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const stores = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",");
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const conversations = 50;
const messages = 200;
const rate = 100;
const options = { agentMs: 50, sendMs: 20 };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-recovery-"));
const rows = [];
let run = 0;
try {
  for (const store of stores)
    for (const mode of ["baseline", "kill"]) {
      run += 1;
      const where =
        store === "postgres"
          ? `bench_recovery_${randomBytes(6).toString("hex")}`
          : join(folder, `mailbox-${run}.db`);
      const first = await startServer(store, where, options);
      const live = [
        store === "postgres" ? await startServer(store, where, options) : undefined,
      ].filter(Boolean);
      let victim = first;
      let killedAt = 0;
      const sids = [];
      const retries = [];
      const started = Date.now();
      for (let k = 0; k < messages; k++) {
        const due = started + (k * 1000) / rate;
        if (due > Date.now()) await pause(due - Date.now());
        if (mode === "kill" && k === messages / 2 && victim !== undefined) {
          victim.child.kill("SIGKILL");
          await victim.exited;
          killedAt = Date.now();
          victim = undefined;
          // SQLite: the restarted process takes the file over at once.
          if (store === "sqlite") live.push(await startServer(store, where, options));
        }
        const targets = victim === undefined ? live : [victim, ...live];
        const target = targets[k % targets.length];
        const conversation = run * 1_000 + (k % conversations);
        const index = Math.floor(k / conversations);
        const messageSid = `IM${run.toString(16).padStart(4, "0")}${k.toString(16).padStart(28, "0")}`;
        sids.push(messageSid);
        retries.push(
          sendMessage(target.port, conversation, { messageSid, index }).then(async (result) => {
            if (result.status === 200) return;
            // Twilio retries a webhook that got no 200; by then a live process answers.
            for (;;) {
              await pause(1_000);
              if (live.length === 0) continue;
              const again = await sendMessage(live[0].port, conversation, { messageSid, index });
              if (again.status === 200) return;
            }
          }),
        );
      }
      const lastSend = Date.now();
      await Promise.all(retries);
      const missing = await drained(sids, 60_000);
      const last = Math.max(
        ...sids.filter((sid) => replies.has(sid)).map((sid) => replies.get(sid)),
      );
      if (mode === "baseline") killedAt = Number.NaN;
      rows.push({
        store,
        mode,
        messages,
        unanswered: missing.length,
        killToDrainedMs: last - killedAt,
        lastSendToDrainedMs: last - lastSend,
      });
      console.log(JSON.stringify(rows.at(-1)));
      for (const server of victim === undefined ? live : [victim, ...live]) await server.stop();
      if (store === "postgres") {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${where}" CASCADE`);
        await client.end();
      }
    }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log(
  "\nstore     mode      messages  kill → drained ms  last send → drained ms  unanswered",
);
for (const row of rows)
  console.log(
    `${row.store.padEnd(9)} ${row.mode.padEnd(9)} ${String(row.messages).padStart(8)} ${String(row.killToDrainedMs).padStart(18)} ${String(row.lastSendToDrainedMs).padStart(23)} ${String(row.unanswered).padStart(11)}`,
  );
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "recovery.json"),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), rows }, null, 2)}\n`,
);
