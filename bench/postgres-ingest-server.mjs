// A switchboard ingesting into PostgreSQL, for bench/ingest.mjs (`--store postgres|both`) and
// bench/instances.mjs (several of these on one schema). In its own process so the load generator
// never shares its event loop. Usage:
//   node bench/postgres-ingest-server.mjs <authToken> <databaseUrl> <schema>
// Prints the port it listens on (127.0.0.1 only). Webhooks are verified, parsed and committed
// (group commit, synchronous_commit as the server is configured) before the 200.
import { createServer } from "node:http";
import { functionAgent } from "../dist/agents/index.js";
import { createSwitchboardHandler } from "../dist/http/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { createSwitchboard } from "../dist/runtime/index.js";

const [authToken, connectionString, schema] = process.argv.slice(2);

/** Never called: the benchmark measures ingest only, so no worker is started. */
const idleProvider = {
  sendMessage: () => Promise.reject(new Error("not used in the ingest benchmark")),
  listMessages: async function* () {},
};

const mailbox = postgresMailbox({
  connectionString,
  schema,
  poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10),
  groupCommitWindowMs: Number(process.env.BENCH_WINDOW_MS ?? 0),
});
const switchboard = createSwitchboard({
  provider: idleProvider,
  agent: functionAgent(() => "unused"),
  mailbox,
  webhook: { authToken },
});

const server = createServer(createSwitchboardHandler(switchboard));
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () =>
  server.close(async () => {
    await switchboard.close();
    process.exit(0);
  }),
);
