// A switchboard in its own process whose agent books something through a tool, for the
// exactly-once tool tests: the parent kills it (SIGKILL), freezes it past its lease, or lets
// it throw after the tool ran, then checks the booking happened once and one reply went out.
// It runs the built code (`dist/`), configured by the JSON in SWITCHBOARD_CHILD:
// { emulatorUrl, accountSid, authToken, serviceSid, store, port?, toolUrl, mode, name }
// where store is { kind: "sqlite", path } or { kind: "postgres", url, schema } and mode is
// "normal", "hang-after-tool", "throw-after-tool" (once per turn) or "freeze-after-tool"
// (blocks its event loop for freezeMs, as a paused worker would; give it a long pollMs so the
// pause does not catch one of its own claim transactions open, which would hold row locks). It prints `ready`,
// `booked <IM> <reference>` after the journaled tool step, and `completed <IM>`.
import { durableStep, functionAgent } from "../../dist/agents/index.js";
import { EmulatorRequestClient } from "../../dist/emulator/index.js";
import { serveSwitchboard } from "../../dist/http/index.js";
import { sqliteMailbox } from "../../dist/mailbox/index.js";
import { postgresMailbox } from "../../dist/mailbox/postgres/index.js";
import { createSwitchboard } from "../../dist/runtime/index.js";
import { TwilioProvider } from "../../dist/twilio/provider/index.js";

const config = JSON.parse(process.env.SWITCHBOARD_CHILD ?? "{}");
const say = (line) => process.stdout.write(`${line}\n`);

const provider = new TwilioProvider({
  accountSid: config.accountSid,
  authToken: config.authToken,
  conversationsServiceSid: config.serviceSid,
  httpClient: new EmulatorRequestClient(config.emulatorUrl),
});
await provider.start();

const mailbox =
  config.store.kind === "sqlite"
    ? sqliteMailbox({ path: config.store.path, settleWindowMs: 100 })
    : postgresMailbox({
        connectionString: config.store.url,
        schema: config.store.schema,
        settleWindowMs: 100,
      });

const thrown = new Set();
const agent = functionAgent(async (turn, context) => {
  const first = turn.messages[0].messageSid;
  // The tool forwards its idempotency key, as a payments or bookings API would take it.
  const booking = await durableStep(turn, context, "book", async ({ key, signal }) => {
    const response = await fetch(config.toolUrl, {
      method: "POST",
      headers: { "idempotency-key": key, "x-worker": config.name },
      body: turn.text,
      signal,
    });
    return await response.json();
  });
  say(`booked ${first} ${booking.reference}`);
  if (config.mode === "hang-after-tool") await new Promise(() => {});
  if (config.mode === "throw-after-tool" && !thrown.has(first)) {
    thrown.add(first);
    throw new Error("the model connection reset after the tool ran");
  }
  if (config.mode === "freeze-after-tool")
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, config.freezeMs);
  return `Booked ${booking.reference} (${config.name})`;
});

const switchboard = createSwitchboard({
  provider,
  mailbox,
  agent,
  webhook: { authToken: config.authToken },
  workers: {
    leaseMs: 800,
    heartbeatMs: 200,
    pollMs: config.pollMs ?? 50,
    retryBaseMs: 50,
    sendRetryBaseMs: 50,
  },
  catchUp: false,
});
switchboard.events.on("turn.completed", (event) => say(`completed ${event.turnId}`));

const served =
  config.port === undefined
    ? await switchboard.start().then(() => ({ close: () => switchboard.close() }))
    : await serveSwitchboard(switchboard, { port: config.port, host: "127.0.0.1" });
say("ready");

const stop = async () => {
  await served.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
