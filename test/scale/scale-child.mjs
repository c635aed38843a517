// One switchboard instance of the multi-instance test, in its own process so the parent can
// SIGKILL it. It runs the built code (`dist/`, built by `pretest`) on a shared PostgreSQL
// mailbox and a shared PostgreSQL pacer, configured by the JSON in SWITCHBOARD_CHILD:
// { emulatorUrl, accountSid, authToken, serviceSid, databaseUrl, schema, port, webhookUrl,
//   agentDelayMs, settleWindowMs, instanceLivenessMs? }.
// `webhookUrl` is the public URL (the round-robin proxy) Twilio signs webhooks for.
// It prints `ready`, then `agent <IM>` per agent call, `sent <replyId>` per reply and
// `ingested <IM> <webhook|catch-up> <epoch ms>` per stored message.
import { functionAgent } from "../../dist/agents/index.js";
import { EmulatorRequestClient } from "../../dist/emulator/index.js";
import { serveSwitchboard } from "../../dist/http/index.js";
import { postgresMailbox, postgresPacer } from "../../dist/mailbox/postgres/index.js";
import { createSwitchboard } from "../../dist/runtime/index.js";
import { TwilioProvider } from "../../dist/twilio/provider/index.js";

const config = JSON.parse(process.env.SWITCHBOARD_CHILD ?? "{}");
const say = (line) => process.stdout.write(`${line}\n`);

const pacer = await postgresPacer({
  connectionString: config.databaseUrl,
  schema: config.schema,
  poolSize: 2,
});
const provider = new TwilioProvider({
  accountSid: config.accountSid,
  authToken: config.authToken,
  conversationsServiceSid: config.serviceSid,
  httpClient: new EmulatorRequestClient(config.emulatorUrl),
  pacer,
});
await provider.start();

const switchboard = createSwitchboard({
  provider,
  mailbox: postgresMailbox({
    connectionString: config.databaseUrl,
    schema: config.schema,
    poolSize: 6,
    settleWindowMs: config.settleWindowMs ?? 300,
    ...(config.instanceLivenessMs === undefined
      ? {}
      : { instanceLivenessMs: config.instanceLivenessMs }),
  }),
  agent: functionAgent(async (turn) => {
    say(`agent ${turn.messages[0].messageSid}`);
    await new Promise((resolve) => setTimeout(resolve, config.agentDelayMs ?? 20));
    return `re: ${turn.text}`;
  }),
  webhook: { authToken: config.authToken, url: config.webhookUrl },
  workers: {
    leaseMs: 1500,
    heartbeatMs: 300,
    pollMs: 100,
    retryBaseMs: 50,
    sendRetryBaseMs: 50,
    drainMs: 1000,
  },
  catchUp: { intervalMs: 1000 },
});
switchboard.events.on("reply.sent", (event) => say(`sent ${event.replyId}`));
switchboard.events.on("message.ingested", (event) =>
  say(`ingested ${event.messageSid} ${event.via} ${Date.now()}`),
);

const served = await serveSwitchboard(switchboard, { port: config.port, host: "127.0.0.1" });
say("ready");

const stop = async () => {
  await served.close();
  await pacer.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
