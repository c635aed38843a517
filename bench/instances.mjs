// npm run bench:instances (builds, then runs node bench/instances.mjs) — the ingest load of
// bench/ingest.mjs on 1, 2 and 3 switchboard instances sharing one PostgreSQL mailbox (one
// process each, a fresh schema per configuration), the connections split evenly over the
// instances as a load balancer would. Prints a table and writes bench/results/instances.json
// with the accepted webhooks per second per instance count and the machine it ran on.
// BENCH_SECONDS (default 6 per configuration, after 1 s of warm-up, split into BENCH_ROUNDS
// = 3 rotating windows), BENCH_CONNECTIONS (default 32 in total) and BENCH_INSTANCES
// (default "1,2,3") tune the run; the database is
// SWITCHBOARD_BENCH_DATABASE_URL, else SWITCHBOARD_TEST_DATABASE_URL, else the local server.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { benchAuthToken, measure } from "./webhook-load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const counts = (process.env.BENCH_INSTANCES ?? "1,2,3").split(",").map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

function startInstance(schema) {
  const child = spawn(
    process.execPath,
    [join(here, "postgres-ingest-server.mjs"), benchAuthToken, databaseUrl, schema],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`instance exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve({ child, port: Number(line) }),
    );
  });
}

async function stop(instance) {
  instance.child.removeAllListeners("exit");
  instance.child.kill("SIGTERM");
  await new Promise((resolve) => instance.child.once("exit", resolve));
}

async function sql(text) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const serverVersion = (await sql("SHOW server_version")).rows[0].server_version;
// Every configuration runs at once (idle ones cost little) and the measurement windows rotate
// between them, so background load on a shared machine hits each configuration alike.
const configurations = [];
try {
  for (const count of counts) {
    const schema = `bench_scale_${randomBytes(6).toString("hex")}`;
    // The first instance migrates the fresh schema; the others then find it current.
    const instances = [await startInstance(schema)];
    configurations.push({ count, schema, instances, windows: [] });
    for (let n = 1; n < count; n++) instances.push(await startInstance(schema));
  }
  for (const configuration of configurations)
    await measure(
      configuration.instances.map((instance) => instance.port),
      connections,
      1,
    );
  for (let round = 0; round < rounds; round++) {
    for (let position = 0; position < configurations.length; position++) {
      const configuration = configurations[(position + round) % configurations.length];
      const ports = configuration.instances.map((instance) => instance.port);
      configuration.windows.push(await measure(ports, connections, seconds / rounds));
    }
  }
} finally {
  for (const configuration of configurations) {
    for (const instance of configuration.instances) await stop(instance);
    await sql(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(configuration.schema)} CASCADE`);
  }
}
const rows = configurations.map(({ count, windows }) => {
  const accepted = windows.reduce((sum, window) => sum + window.accepted, 0);
  const duration = windows.reduce((sum, window) => sum + window.duration, 0);
  return {
    instances: count,
    perSecond: Math.round(accepted / duration),
    accepted,
    rejected: windows.reduce((sum, window) => sum + window.rejected, 0),
    latencyP50: Math.max(...windows.map((window) => window.latencyP50)),
    latencyP99: Math.max(...windows.map((window) => window.latencyP99)),
  };
});

console.table(
  rows.map((row) => ({
    instances: row.instances,
    "accepted/s": row.perSecond,
    accepted: row.accepted,
    "not 2xx": row.rejected,
    "p50 ms (worst window)": row.latencyP50,
    "p99 ms (worst window)": row.latencyP99,
  })),
);
const machine = {
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  postgres: serverVersion,
};
console.log(machine);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "instances.json"),
  `${JSON.stringify(
    {
      store: "postgres",
      connections,
      seconds,
      acceptedPerSecond: Object.fromEntries(rows.map((row) => [row.instances, row.perSecond])),
      latencyP99Ms: Object.fromEntries(rows.map((row) => [row.instances, row.latencyP99])),
      machine,
    },
    null,
    2,
  )}\n`,
);
