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
// BENCH_MAIN_THREAD=1 adds the SQLite mailbox committing on the main thread (A/B).
// BENCH_WINDOW_MS sets the mailbox's groupCommitWindowMs (default 0, the library default).
// `--store sqlite|postgres` (default sqlite): `sqlite` measures the SQLite mailbox alone;
// `postgres` measures the PostgreSQL mailbox *beside* SQLite in the same run, as `postgres`
// (bench/postgres-ingest-server.mjs, a fresh schema on SWITCHBOARD_BENCH_DATABASE_URL, else
// SWITCHBOARD_TEST_DATABASE_URL, else the local server), so the two are compared under the
// same load. `both` is an alias of `postgres`. ingest.json keeps the figures of stores not
// measured this time.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { benchAuthToken as authToken, measure as measureLoad } from "./webhook-load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const storeFlag = process.argv.indexOf("--store");
const store = storeFlag === -1 ? "sqlite" : process.argv[storeFlag + 1];
if (!["sqlite", "postgres", "both"].includes(store))
  throw new Error("--store must be sqlite (the default) or postgres (SQLite and PostgreSQL)");
const kinds = [
  "bare",
  "express",
  "switchboard",
  // BENCH_MAIN_THREAD=1 adds the SQLite mailbox committing on the event loop's own thread,
  // to compare against the default writer thread in the same run.
  ...(process.env.BENCH_MAIN_THREAD === "1" ? ["switchboard-main-thread"] : []),
  ...(store === "sqlite" ? [] : ["postgres"]),
];
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const schema = `bench_${randomBytes(6).toString("hex")}`;

function startServer(kind, folder) {
  const child =
    kind === "postgres"
      ? spawn(
          process.execPath,
          [join(here, "postgres-ingest-server.mjs"), authToken, databaseUrl, schema],
          { stdio: ["ignore", "pipe", "inherit"] },
        )
      : spawn(process.execPath, [join(here, "ingest-server.mjs"), kind, authToken, folder], {
          stdio: ["ignore", "pipe", "inherit"],
        });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve({ child, port: Number(line) }),
    );
  });
}

/** One measurement window against one running server. */
function measure(server) {
  return measureLoad([server.port], connections, seconds / rounds);
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
  const resultsFile = join(here, "results", "ingest.json");
  const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, "utf8")) : {};
  const output = {
    switchboard: figures.switchboard ?? previous.switchboard,
    bare: figures.bare,
    express: figures.express,
    ...((figures.postgres ?? previous.postgres) === undefined
      ? {}
      : { postgres: figures.postgres ?? previous.postgres }),
  };
  // Issue 13's targets: SQLite ingest at least half a bare node:http server, PostgreSQL at
  // least half of SQLite (Express with twilio.webhook() is printed for comparison).
  if (figures.switchboard !== undefined)
    console.log(
      `sqlite (switchboard) / bare = ${(figures.switchboard / output.bare).toFixed(2)} (target ≥ 0.5); ` +
        `/ express = ${(figures.switchboard / output.express).toFixed(2)}`,
    );
  if (figures.postgres !== undefined && figures.switchboard !== undefined)
    console.log(
      `postgres / sqlite = ${(figures.postgres / figures.switchboard).toFixed(2)} (target ≥ 0.5); ` +
        `postgres / bare = ${(figures.postgres / output.bare).toFixed(2)}`,
    );
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(output, null, 2)}\n`);
} finally {
  for (const server of servers.values()) await stop(server);
  rmSync(folder, { recursive: true, force: true });
  if (kinds.includes("postgres")) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  }
}
