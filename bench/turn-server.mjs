// One switchboard under test for the turn benchmarks (bench/turns.mjs, bench/scale.mjs,
// bench/recovery.mjs), in its own process. Usage:
//   node --expose-gc bench/turn-server.mjs <sqlite|postgres> <file|schema> <authToken> [agentMs] [sendMs]
// The agent answers at once (or after agentMs); the provider is a stand-in for Twilio that
// accepts every reply (after sendMs). Prints `port <n>` once listening, then one line
// `reply <inbound MessageSid> <epoch ms>` per reply accepted; answers a `stats` line on stdin
// with `stats <rss bytes> <heap bytes> <JSON: what the RSS is made of>` after a full GC, and a `metrics` line with
// `metrics <ms>`: the time one /metrics render took (the service's gauges: one mailbox stats
// query per scrape, process metrics, event counters). BENCH_POOL_SIZE sets the PostgreSQL
// pool (default 8).
import { readFileSync, writeSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { getHeapStatistics } from "node:v8";
import pg from "pg";
import { functionAgent } from "../dist/agents/index.js";
import { createSwitchboardHandler } from "../dist/http/index.js";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { postgresMailbox } from "../dist/mailbox/postgres/index.js";
import { turnIdOfReply } from "../dist/mailbox/reply-id.js";
import { countEvents, createMetrics } from "../dist/metrics/index.js";
import { createSwitchboard } from "../dist/runtime/index.js";

const [store, where, authToken, agentMs = "0", sendMs = "0"] = process.argv.slice(2);
const databaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
// BENCH_COUNT_QUERIES=1: count every statement sent to PostgreSQL by its first words, and
// print the counts on a `queries` line on stdin (round trips per answered message).
const queryCounts = new Map();
if (process.env.BENCH_COUNT_QUERIES === "1") {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === "string" ? config : (config?.text ?? "?");
    const key = text.replace(/\s+/g, " ").slice(0, 70);
    queryCounts.set(key, (queryCounts.get(key) ?? 0) + 1);
    return original.call(this, config, ...rest);
  };
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/**
 * One line to the parent, synchronously (a kill -9 right after loses nothing it was told). A
 * busy parent can leave the pipe full (EAGAIN): wait a millisecond and write again rather
 * than fail the send, which the runtime would retry seconds later and skew the timings.
 */
function writeLine(text) {
  for (;;) {
    try {
      writeSync(1, text);
      return;
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}
const pause = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined);

let sent = 0;
const provider = {
  async sendMessage(_conversationId, message) {
    await pause(Number(sendMs));
    const replyId = message.attributes?.switchboardReplyId ?? "";
    // Written synchronously: a kill -9 right after loses nothing the parent was told.
    writeLine(`reply ${turnIdOfReply(replyId)} ${Date.now()}\n`);
    sent += 1;
    return { id: `IM${sent.toString(16).padStart(32, "0")}` };
  },
  listMessages: async function* () {},
};

const mailbox =
  store === "postgres"
    ? postgresMailbox({
        connectionString: databaseUrl,
        schema: where,
        poolSize: Number(process.env.BENCH_POOL_SIZE ?? 8),
      })
    : sqliteMailbox({ path: where });
// Claims made and claims that came back empty (a wake-up or poll that found nothing), for
// turns and sends: printed on a `claims` line on stdin.
const claimCounts = { turns: 0, emptyTurns: 0, sends: 0, emptySends: 0 };
for (const [method, total, empty] of [
  ["claim", "turns", "emptyTurns"],
  ["claimOutbox", "sends", "emptySends"],
]) {
  const original = mailbox[method].bind(mailbox);
  mailbox[method] = async (...args) => {
    const got = await original(...args);
    claimCounts[total] += 1;
    if (got.length === 0) claimCounts[empty] += 1;
    return got;
  };
}
const switchboard = createSwitchboard({
  provider,
  agent: functionAgent(async () => {
    await pause(Number(agentMs));
    return "We open at nine.";
  }),
  mailbox,
  webhook: { authToken },
  // BENCH_CONCURRENCY: turn and send workers (default: the service's, 8 each).
  ...(process.env.BENCH_CONCURRENCY === undefined
    ? {}
    : {
        workers: {
          concurrency: Number(process.env.BENCH_CONCURRENCY),
          sendConcurrency: Number(process.env.BENCH_CONCURRENCY),
        },
      }),
  logger: {
    debug() {},
    info() {},
    warn: (...args) => console.error(...args),
    error: (...args) => console.error(...args),
  },
});
// The same metrics as `serve` (src/service/create-service.ts), so a scrape costs what it costs there.
let statsInFlight;
const scrapeStats = () => {
  statsInFlight ??= mailbox.stats().finally(() => {
    setTimeout(() => {
      statsInFlight = undefined;
    }, 0);
  });
  return statsInFlight;
};
const metrics = createMetrics({
  processMetrics: true,
  deadLetters: async () => (await scrapeStats()).deadLetters,
  queueDepth: async () => (await scrapeStats()).pendingMessages,
});
countEvents(switchboard.events, metrics);
await switchboard.start();
const server = createServer(createSwitchboardHandler(switchboard));
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => writeLine(`port ${server.address().port}\n`));
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "metrics") {
    const started = performance.now();
    await metrics.render().catch((error) => console.error("metrics render failed", error));
    writeLine(`metrics ${(performance.now() - started).toFixed(2)}\n`);
    return;
  }
  if (line === "claims") {
    writeLine(`claims ${JSON.stringify({ sent, ...claimCounts })}\n`);
    return;
  }
  if (line === "queries") {
    const sorted = [...queryCounts].sort((a, b) => b[1] - a[1]);
    writeLine(`queries ${JSON.stringify({ sent, counts: sorted })}\n`);
    return;
  }
  if (line !== "stats") return;
  globalThis.gc?.();
  globalThis.gc?.();
  const memory = process.memoryUsage();
  const parts = memoryParts(memory);
  writeLine(`stats ${memory.rss} ${memory.heapUsed} ${JSON.stringify(parts)}\n`);
});

/**
 * What the RSS is made of, bytes: this thread's V8 heap (used, and committed pages resident),
 * memory V8 tracks outside it (`external`: buffers), and from the kernel's view of the whole
 * process (/proc/self/smaps) anonymous memory (both threads' V8 heaps, every malloc arena:
 * SQLite's page caches, the writer thread's) against file-backed pages (code, and SQLite's
 * WAL index, the mapped `-shm` file, counted on its own).
 */
function memoryParts(memory) {
  const heap = getHeapStatistics();
  const parts = {
    heapUsed: memory.heapUsed,
    heapCommitted: heap.total_physical_size,
    external: memory.external,
  };
  try {
    let rss = 0;
    let anonymous = 0;
    let walIndex = 0;
    let mapping = "";
    for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
      const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
      if (field === null) {
        if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) mapping = line;
        continue;
      }
      const bytes = Number(field[2]) * 1024;
      if (field[1] === "Anonymous") anonymous += bytes;
      else {
        rss += bytes;
        if (mapping.endsWith("-shm")) walIndex += bytes;
      }
    }
    Object.assign(parts, { anonymous, fileBacked: rss - anonymous, walIndex });
  } catch {
    // Not Linux: the V8 figures alone.
  }
  return parts;
}
