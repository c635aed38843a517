// A switchboard in its own process, for crash tests: the parent kills it with SIGKILL at
// chosen moments and starts it again on the same mailbox file. It runs the built code
// (`dist/`, built by `pretest`), configured by the JSON in SWITCHBOARD_CHILD:
// { emulatorUrl, accountSid, authToken, serviceSid, databasePath, port, agentDelayMs }.
// It prints one line per step the parent may want to kill at: `ready`, `ingested <IM> <webhook|catch-up>`,
// `agent <IM>`, `completed <IM>`, `sent <replyId>`.
import { functionAgent } from "../../dist/agents/index.js";
import { EmulatorRequestClient } from "../../dist/emulator/index.js";
import { serveSwitchboard } from "../../dist/http/index.js";
import { sqliteMailbox } from "../../dist/mailbox/index.js";
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

const switchboard = createSwitchboard({
  provider,
  mailbox: sqliteMailbox({ path: config.databasePath, settleWindowMs: 300 }),
  agent: functionAgent(async (turn) => {
    say(`agent ${turn.messages[0].messageSid}`);
    await new Promise((resolve) => setTimeout(resolve, config.agentDelayMs ?? 100));
    return `re: ${turn.text}`;
  }),
  webhook: { authToken: config.authToken },
  workers: {
    leaseMs: 800,
    heartbeatMs: 200,
    pollMs: 50,
    retryBaseMs: 50,
    sendRetryBaseMs: 50,
  },
  catchUp: { intervalMs: 500 },
});
switchboard.events.on("message.ingested", (event) =>
  say(`ingested ${event.messageSid} ${event.via}`),
);
switchboard.events.on("turn.completed", (event) => say(`completed ${event.turnId}`));
switchboard.events.on("reply.sent", (event) => say(`sent ${event.replyId}`));

const served = await serveSwitchboard(switchboard, { port: config.port, host: "127.0.0.1" });
say("ready");

const stop = async () => {
  await served.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
