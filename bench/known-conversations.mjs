// Shared by bench:restart and bench:catch-up: an emulator, and a SQLite mailbox that knows
// `count` conversations as a running service would — each one exists in the emulator with
// one customer message, and the mailbox holds that message answered (its turn completed),
// so the conversation counts as recently active. Built fast: REST creates with some
// concurrency, and the mailbox filled through its own API (no webhooks, no agent).
import { functionAgent } from "../dist/agents/index.js";
import { startEmulator } from "../dist/emulator/index.js";
import { serveSwitchboard } from "../dist/http/index.js";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { createSwitchboard } from "../dist/runtime/index.js";
import { TwilioProvider } from "../dist/twilio/provider/index.js";

/** Runs `tasks` with at most `limit` at once. */
export async function runLimited(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const position = next++;
      results[position] = await tasks[position]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** An emulator whose every REST request (`/v1/…`) is counted, with its time. */
export async function countingEmulator() {
  const emulator = await startEmulator({ webhookRetries: 0 });
  const requests = [];
  emulator.addPreHook((request) => {
    if (request.path.startsWith("/v1/"))
      requests.push({ at: Date.now(), method: request.method, path: request.path });
    return undefined;
  });
  return { emulator, requests };
}

/** Creates `count` conversations with one customer message each; fills the mailbox file. */
export async function seedKnownConversations(emulator, path, count) {
  const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
  const created = await runLimited(
    Array.from({ length: count }, (_, n) => async () => {
      const author = `+1555${String(n).padStart(7, "0")}`;
      const conversation = await service.conversations.create({});
      const message = await service.conversations(conversation.sid).messages.create({
        author,
        body: `hello ${n}`,
      });
      return { conversationSid: conversation.sid, message, author };
    }),
    16,
  );
  const mailbox = sqliteMailbox({ path });
  await runLimited(
    created.map(
      ({ conversationSid, message, author }) =>
        () =>
          mailbox.ingest({
            conversationSid,
            messageSid: message.sid,
            index: message.index,
            author,
            body: message.body,
            media: [],
            attributes: {},
            channel: "sms",
            source: "SMS",
            dateCreated: message.dateCreated.getTime(),
            receivedAt: Date.now(),
            role: "customer",
            customerAddress: author,
            proxyAddress: emulator.numbers.sms,
          }),
    ),
    256,
  );
  // Answered (with no reply): the turns are done, nothing is pending at the restart.
  for (;;) {
    const leases = await mailbox.claim("bench-seed", 500, 60_000);
    if (leases.length === 0) break;
    await Promise.all(leases.map((lease) => mailbox.complete(lease, [])));
  }
  await mailbox.close();
  return created.map((entry) => entry.conversationSid);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Points the emulator's webhook at `port`, then starts a switchboard on the mailbox file
 * there (`serveSwitchboard` starts it). Resolves once it listens.
 */
export async function startSwitchboard(emulator, path, port, catchUp) {
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: `http://127.0.0.1:${port}/twilio/webhook`,
      method: "POST",
      filters: ["onMessageAdded"],
    });
  const provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  });
  await provider.start();
  const switchboard = createSwitchboard({
    provider,
    agent: functionAgent(async (turn) => `re: ${turn.text}`),
    mailbox: sqliteMailbox({ path }),
    webhook: { authToken: emulator.authToken },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    catchUp,
  });
  const served = await serveSwitchboard(switchboard, { port, host: "127.0.0.1" });
  return { switchboard, served };
}

/** The most requests within any one second, from their times (epoch ms, any order). */
export function busiestSecond(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
