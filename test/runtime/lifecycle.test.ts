import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { computeTwilioSignature } from "../../src/twilio/webhook/verify-signature.js";
import { fastWorkers, tempFolder, twilioProviderFor } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const folder = tempFolder();
  const emulator = await startEmulator({ webhookRetries: 0 });
  cleanups.push(
    () => folder.cleanup(),
    () => emulator.close(),
  );
  return { folder, emulator, databasePath: join(folder.path, "mailbox.db") };
}

async function boot(
  emulator: Emulator,
  databasePath: string,
  agent = functionAgent((turn) => `re: ${turn.text}`),
  options: { drainMs?: number } = {},
): Promise<Switchboard> {
  const switchboard = createSwitchboard({
    provider: await twilioProviderFor(emulator),
    agent,
    mailbox: sqliteMailbox({ path: databasePath, settleWindowMs: 200 }),
    workers: { ...fastWorkers, ...options },
    webhook: { authToken: emulator.authToken },
    catchUp: { intervalMs: 0 },
  });
  const served = await serveSwitchboard(switchboard, { port: 0 });
  const { url } = served;
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: `${url}/twilio/webhook`,
      method: "POST",
      filters: ["onMessageAdded"],
    });
  // Closing it closes the server first, as a process would.
  return { ...switchboard, close: served.close };
}

const waitFor = async (check: () => Promise<boolean> | boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe("lifecycle", () => {
  it("releases a running turn on close; the next process answers it exactly once", async () => {
    const { emulator, databasePath } = await setup();
    const held = recordingAgent({ held: true });
    const first = await boot(emulator, databasePath, held, { drainMs: 100 });
    const customer = emulator.customer({ channel: "sms", address: "+15556000001" });
    const { conversationSid } = await customer.send("are you open?");
    await held.waitForCalls(1);
    await first.close();
    expect(held.calls[0]!.signal.aborted).toBe(true);

    const second = await boot(emulator, databasePath);
    cleanups.push(() => second.close());
    await waitFor(async () => (await botMessages(emulator, conversationSid)).length > 0, "reply");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await botMessages(emulator, conversationSid)).map((message) => message.body)).toEqual([
      "re: are you open?",
    ]);
  });

  it("catches up after downtime: known conversations and ones created meanwhile, never the past of a fresh install", async () => {
    const { emulator, databasePath } = await setup();
    // History from before the first deploy must not be answered.
    const old = await emulator.customer({ channel: "sms", address: "+15556000002" }).send("old");
    // REST dates have whole seconds; catch-up allows one second before installation.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const first = await boot(emulator, databasePath);
    const known = emulator.customer({ channel: "sms", address: "+15556000003" });
    const { conversationSid } = await known.send("first");
    await waitFor(
      async () => (await botMessages(emulator, conversationSid)).length === 1,
      "first reply",
    );
    await first.close();

    // Down: no webhook is accepted; these are lost on Twilio's side.
    await known.send("while down");
    const newcomer = await emulator
      .customer({ channel: "sms", address: "+15556000004" })
      .send("new while down");
    await emulator.idle();

    const second = await boot(emulator, databasePath);
    cleanups.push(() => second.close());
    await waitFor(
      async () => (await botMessages(emulator, conversationSid)).length === 2,
      "catch-up reply",
    );
    await waitFor(
      async () => (await botMessages(emulator, newcomer.conversationSid)).length === 1,
      "newcomer reply",
    );
    expect((await botMessages(emulator, conversationSid)).map((message) => message.body)).toEqual([
      "re: first",
      "re: while down",
    ]);
    expect(await botMessages(emulator, old.conversationSid)).toEqual([]);
    // Running it again finds nothing new: dedupe makes it harmless. (The first call may join
    // the start's run, which works in the background; the second is a run of its own.)
    await second.catchUp();
    expect(await second.catchUp()).toMatchObject({ conversations: 0, ingested: 0 });
  });

  it("serves /healthz and refuses other routes, methods, malformed and oversized webhooks", async () => {
    const { emulator, databasePath } = await setup();
    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      agent: functionAgent(() => "unused"),
      mailbox: sqliteMailbox({ path: databasePath }),
      webhook: { authToken: emulator.authToken },
      catchUp: { intervalMs: 0 },
    });
    const served = await serveSwitchboard(switchboard, { port: 0 });
    const { url } = served;
    cleanups.push(() => served.close());
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, state: "running" });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/twilio/webhook`)).status).toBe(405);
    // Correctly signed, but not a Conversations event at all.
    const fields = { Foo: "bar" };
    const malformed = await fetch(`${url}/twilio/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": computeTwilioSignature(
          emulator.authToken,
          `${url}/twilio/webhook`,
          fields,
        ),
      },
      body: new URLSearchParams(fields).toString(),
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toBe("");
    const oversized = await fetch(`${url}/twilio/webhook`, {
      method: "POST",
      // Digest-shaped, so the header checks pass and the size cap answers (an unsigned
      // request is refused with 403 before its body is read).
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": `${"A".repeat(27)}=`,
      },
      body: `Body=${"x".repeat(2 * 1024 * 1024)}`,
    });
    expect(oversized.status).toBe(413);
    expect(await switchboard.mailbox.knownConversations()).toEqual([]);
  });

  it("names the missing option when misconfigured", () => {
    expect(() => createSwitchboard({ agent: functionAgent(() => "x") } as never)).toThrow(
      /provider/,
    );
  });
});

describe("start", () => {
  it("fails at listen with the provider's error when the credentials are wrong", async () => {
    const { emulator, databasePath } = await setup();
    const { TwilioProvider } = await import("../../src/twilio/provider/index.js");
    const provider = new TwilioProvider({
      accountSid: emulator.accountSid,
      authToken: "wrong-token-wrong-token-wrong-00",
      conversationsServiceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
    });
    const switchboard = createSwitchboard({
      provider,
      agent: functionAgent(() => "unused"),
      mailbox: sqliteMailbox({ path: databasePath }),
      webhook: { authToken: emulator.authToken },
    });
    cleanups.push(() => switchboard.close());
    await expect(serveSwitchboard(switchboard, { port: 0 })).rejects.toMatchObject({
      code: "invalid_credentials",
    });
  });
});
