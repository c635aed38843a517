// One switchboard under test for the turn benchmarks (bench/turns.mjs, bench/scale.mjs,
// bench/recovery.mjs), in its own process. Usage:
//   node --expose-gc bench/turn-server.mjs <sqlite|postgres> <file|schema> <authToken> [agentMs] [sendMs]
// The agent answers at once (or after agentMs); the provider is a stand-in for Twilio that
// accepts every reply (after sendMs). Prints `port <n>` once listening, then one line
// `reply <inbound MessageSid> <epoch ms>` per reply accepted; answers a `stats` line on stdin
// with `stats <rss bytes> <heap bytes>` after a full GC.
import { writeSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { functionAgent } from "../dist/agents/index.js";
import { createSwitchboardHandler } from "../dist/http/index.js";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { turnIdOfReply } from "../dist/mailbox/reply-id.js";
import { createSwitchboard } from "../dist/runtime/index.js";

const [store, where, authToken, agentMs = "0", sendMs = "0"] = process.argv.slice(2);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const pause = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined);

let sent = 0;
const provider = {
  async sendMessage(_conversationId, message) {
    await pause(Number(sendMs));
    const replyId = message.attributes?.switchboardReplyId ?? "";
    // Written synchronously: a kill -9 right after loses nothing the parent was told.
    writeSync(1, `reply ${turnIdOfReply(replyId)} ${Date.now()}\n`);
    sent += 1;
    return { id: `IM${sent.toString(16).padStart(32, "0")}` };
  },
  listMessages: async function* () {},
};

const mailbox =
  store === "postgres"
    ? postgresMailbox({ connectionString: databaseUrl, schema: where, poolSize: 8 })
    : sqliteMailbox({ path: where });
const switchboard = createSwitchboard({
  provider,
  agent: functionAgent(async () => {
    await pause(Number(agentMs));
    return "We open at nine.";
  }),
  mailbox,
  webhook: { authToken },
  logger: {
    debug() {},
    info() {},
    warn: (...args) => console.error(...args),
    error: (...args) => console.error(...args),
  },
});
await switchboard.start();
const server = createServer(createSwitchboardHandler(switchboard));
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => writeSync(1, `port ${server.address().port}\n`));
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line !== "stats") return;
  globalThis.gc?.();
  const memory = process.memoryUsage();
  writeSync(1, `stats ${memory.rss} ${memory.heapUsed}\n`);
});
process.on("SIGTERM", async () => {
  server.close();
  await switchboard.close();
  process.exit(0);
});
