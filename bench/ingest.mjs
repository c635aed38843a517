// npm run bench:ingest — signed Conversations webhooks per second, accepted, by three
// servers on this machine in one run with one load generator (autocannon):
// - switchboard: verify the signature, parse, ingest durably into SQLite, then 200;
// - bare: node:http answering 200 without looking at the request (the ceiling);
// - express: Express + the official SDK's twilio.webhook() middleware + an in-memory handler.
// Every request is a distinct, correctly signed onMessageAdded webhook (a new MessageSid),
// so switchboard stores each one. Loopback only. Prints a table and writes
// bench/results/ingest.json as { switchboard, bare, express } (2xx requests per second).
// BENCH_SECONDS (default 10 per server, split into BENCH_ROUNDS = 5 rotating windows) and
// BENCH_CONNECTIONS (default 32) tune the run;
// BENCH_WINDOW_MS sets the mailbox's groupCommitWindowMs (default 0, the library default).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { computeTwilioSignature } from "../dist/twilio/webhook/verify-signature.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const authToken = "bench-auth-token-0123456789abcdef";
const kinds = ["bare", "express", "switchboard"];

function startServer(kind, folder) {
  const child = spawn(
    process.execPath,
    [join(here, "ingest-server.mjs"), kind, authToken, folder],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve({ child, port: Number(line) }),
    );
  });
}

let sequence = 0;
function signedBody(url) {
  sequence += 1;
  const id = sequence.toString(16).padStart(32, "0");
  const fields = {
    AccountSid: "AC00000000000000000000000000000000",
    ChatServiceSid: "IS00000000000000000000000000000000",
    EventType: "onMessageAdded",
    ConversationSid: `CH${(sequence % 500).toString(16).padStart(32, "0")}`,
    MessageSid: `IM${id}`,
    Index: String(Math.floor(sequence / 500)),
    Author: "+15551230001",
    Body: "Hi, what are your opening hours?",
    Source: "SMS",
    Attributes: "{}",
    DateCreated: new Date().toISOString(),
    RetryCount: "0",
  };
  return {
    body: new URLSearchParams(fields).toString(),
    signature: computeTwilioSignature(authToken, url, fields),
  };
}

/** One measurement window against one running server. */
async function measure(server) {
  const url = `http://127.0.0.1:${server.port}/twilio/webhook`;
  const result = await autocannon({
    url,
    connections,
    duration: seconds / rounds,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const { body, signature } = signedBody(url);
          return {
            ...request,
            body,
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              "x-twilio-signature": signature,
            },
          };
        },
      },
    ],
  });
  return {
    accepted: result["2xx"],
    rejected: result.non2xx + result.errors + result.timeouts,
    duration: result.duration || seconds / rounds,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  };
}

async function stop(server) {
  server.child.removeAllListeners("exit");
  server.child.kill("SIGTERM");
  await new Promise((resolve) => server.child.once("exit", resolve));
}

const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const servers = new Map();
try {
  for (const kind of kinds) servers.set(kind, await startServer(kind, folder));
  // Rounds rotate the order so background load on a shared machine hits every server alike.
  const windows = new Map(kinds.map((kind) => [kind, []]));
  for (let round = 0; round < rounds; round++) {
    const order = kinds.map((_, position) => kinds[(position + round) % kinds.length]);
    for (const kind of order) windows.get(kind).push(await measure(servers.get(kind)));
  }
  const rows = kinds.map((kind) => {
    const measured = windows.get(kind);
    const accepted = measured.reduce((sum, window) => sum + window.accepted, 0);
    const duration = measured.reduce((sum, window) => sum + window.duration, 0);
    return {
      kind,
      perSecond: Math.round(accepted / duration),
      accepted,
      rejected: measured.reduce((sum, window) => sum + window.rejected, 0),
      latencyP50: Math.max(...measured.map((window) => window.latencyP50)),
      latencyP99: Math.max(...measured.map((window) => window.latencyP99)),
    };
  });
  console.table(
    rows.map((row) => ({
      server: row.kind,
      "accepted/s": row.perSecond,
      accepted: row.accepted,
      "not 2xx": row.rejected,
      "p50 ms (worst round)": row.latencyP50,
      "p99 ms (worst round)": row.latencyP99,
    })),
  );
  const figures = Object.fromEntries(rows.map((row) => [row.kind, row.perSecond]));
  const output = { switchboard: figures.switchboard, bare: figures.bare, express: figures.express };
  console.log(
    `switchboard / bare = ${(output.switchboard / output.bare).toFixed(2)} (target ≥ 0.5); ` +
      `switchboard / express = ${(output.switchboard / output.express).toFixed(2)} (target ≥ 2)`,
  );
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "ingest.json"), `${JSON.stringify(output, null, 2)}\n`);
} finally {
  for (const server of servers.values()) await stop(server);
  rmSync(folder, { recursive: true, force: true });
}
