import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { startEmulator } from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard } from "../../src/runtime/create-switchboard.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";
import { computeTwilioSignature } from "../../src/twilio/webhook/verify-signature.js";
import { tempFolder, twilioProviderFor } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("createSwitchboard({ provider }) webhook verification", () => {
  it("verifies webhooks with the provider's own Auth Token: a real message is answered, a forged one refused", async () => {
    const folder = tempFolder();
    const emulator = await startEmulator({ webhookRetries: 0 });
    cleanups.push(
      () => folder.cleanup(),
      () => emulator.close(),
    );
    // No `webhook` option at all: the token comes from the provider.
    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      agent: functionAgent((turn) => `re: ${turn.text}`),
      mailbox: sqliteMailbox({ path: join(folder.path, "mailbox.db") }),
      catchUp: { intervalMs: 0 },
    });
    const served = await serveSwitchboard(switchboard, { port: 0 });
    cleanups.push(() => served.close());
    const webhookUrl = `${served.url}/twilio/webhook`;
    await emulator
      .twilioClient()
      .conversations.v1.services(emulator.serviceSid)
      .configuration.webhooks()
      .update({ postWebhookUrl: webhookUrl, method: "POST", filters: ["onMessageAdded"] });

    const { conversationSid } = await emulator
      .customer({ channel: "sms", address: "+15556100001" })
      .send("hello");
    const deadline = Date.now() + 10_000;
    while ((await botMessages(emulator, conversationSid)).length === 0) {
      if (Date.now() > deadline) throw new Error("no reply: the webhook was not accepted");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await botMessages(emulator, conversationSid)).map((message) => message.body)).toEqual([
      "re: hello",
    ]);

    const fields = { EventType: "onMessageAdded", ConversationSid: conversationSid };
    const forged = await fetch(webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": computeTwilioSignature("not-the-token", webhookUrl, fields),
      },
      body: new URLSearchParams(fields).toString(),
    });
    expect(forged.status).toBe(403);
  });

  it("refuses to build when neither the options, the provider nor the environment give a token", async () => {
    const previous = process.env.TWILIO_AUTH_TOKEN;
    delete process.env.TWILIO_AUTH_TOKEN;
    const mailbox = sqliteMailbox({ path: ":memory:" });
    try {
      const provider = new TwilioProvider({
        accountSid: `AC${"0".repeat(32)}`,
        apiKeySid: `SK${"0".repeat(32)}`,
        apiKeySecret: "a-secret-that-is-not-an-auth-token",
        conversationsServiceSid: `IS${"0".repeat(32)}`,
      });
      expect(() =>
        createSwitchboard({
          provider,
          agent: functionAgent(() => "unused"),
          mailbox,
        }),
      ).toThrow(expect.objectContaining({ option: "webhook.authToken" }));
    } finally {
      await mailbox.close();
      if (previous !== undefined) process.env.TWILIO_AUTH_TOKEN = previous;
    }
  });
});
