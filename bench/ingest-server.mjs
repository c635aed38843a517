// One server under test for bench/ingest.mjs, in its own process so the load generator
// never shares its event loop. Usage: node bench/ingest-server.mjs
// <switchboard|switchboard-main-thread|bare|express>
// <authToken> <databaseFolder>. Prints the port it listens on (127.0.0.1 only).
import { createServer } from "node:http";
import { join } from "node:path";
import express from "express";
import twilio from "twilio";
import { functionAgent } from "../dist/agents/index.js";
import { createSwitchboardHandler } from "../dist/http/index.js";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { createSwitchboard } from "../dist/runtime/index.js";

const [kind, authToken, folder] = process.argv.slice(2);

/** Never called: the benchmark measures ingest only, so no worker is started. */
const idleProvider = {
  sendMessage: () => Promise.reject(new Error("not used in the ingest benchmark")),
  listMessages: async function* () {},
};

function handlerFor(name) {
  if (name === "bare") {
    // The floor: read the body, answer 200, keep nothing.
    return (request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(200);
        response.end();
      });
    };
  }
  if (name === "express") {
    // The common setup: Express, the official SDK's signature middleware, memory only.
    const received = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post(
      "/twilio/webhook",
      twilio.webhook(authToken, { protocol: "http" }),
      (request, response) => {
        received.push(request.body.MessageSid);
        if (received.length > 100_000) received.length = 0;
        response.sendStatus(200);
      },
    );
    return app;
  }
  if (name === "switchboard" || name === "switchboard-main-thread") {
    // Verified, parsed and fsynced into SQLite (synchronous=FULL) before the 200; the
    // `-main-thread` variant commits on the event loop's thread, to measure the writer thread.
    const switchboard = createSwitchboard({
      provider: idleProvider,
      agent: functionAgent(() => "unused"),
      mailbox: sqliteMailbox({
        path: join(folder, `${name}-mailbox.db`),
        groupCommitWindowMs: Number(process.env.BENCH_WINDOW_MS ?? 0),
        writerThread: name === "switchboard",
      }),
      webhook: { authToken },
    });
    return createSwitchboardHandler(switchboard);
  }
  throw new Error(`unknown server kind ${name}`);
}

const server = createServer(handlerFor(kind));
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
