import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type RunningExample } from "../../../examples/complete-example.js";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { signedWebhookRequest } from "../webhook/webhook-fixtures.js";

let emulator: Emulator;
let example: RunningExample;
const logged: { level: string; line: string }[] = [];
const record =
  (level: string) =>
  (...parts: unknown[]) =>
    logged.push({ level, line: parts.map(String).join(" ") });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  example = await main({
    env: {
      TWILIO_ACCOUNT_SID: emulator.accountSid,
      TWILIO_AUTH_TOKEN: emulator.authToken,
      TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
    },
    httpClient: emulator.httpClient(),
    port: 0,
    answer: (text) => `Echo: ${text}`,
    log: { log: record("log"), warn: record("warn"), error: record("error") },
  });
  // What `switchboard setup` (or the Twilio Console) does: point the service's webhook here.
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({ postWebhookUrl: example.webhookUrl, filters: ["onMessageAdded"], method: "POST" });
});

afterAll(async () => {
  await example.close();
  await emulator.close();
});

describe("examples/complete-example.ts", () => {
  it("creates the conversation in the configured service and says so", async () => {
    expect(logged.map((entry) => entry.line)).toContain(
      `Conversation created: ${example.conversation.id}`,
    );
    expect(example.conversation).toMatchObject({
      friendlyName: "Support Chat",
      serviceSid: emulator.serviceSid,
    });
    await expect(example.provider.getConversation(example.conversation.id)).resolves.toMatchObject({
      state: "active",
    });
  });

  it("answers a customer's SMS through the webhook route, once", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15551230007" });
    const { conversationSid } = await customer.send("What are your opening hours?");
    await emulator.idle();

    const messages = [];
    for await (const message of example.provider.listMessages(conversationSid))
      messages.push(message);
    expect(messages.map((message) => [message.from, message.content])).toEqual([
      ["+15551230007", "What are your opening hours?"],
      ["agent", "Echo: What are your opening hours?"],
    ]);
    expect(messages[1]?.to).toBe("+15551230007");
    expect(customer.messages().map((message) => message.body)).toContain(
      "Echo: What are your opening hours?",
    );
  });

  it("refuses a forged webhook and serves nothing else", async () => {
    const forged = signedWebhookRequest({
      url: example.webhookUrl,
      authToken: "wrong",
      eventType: "onMessageAdded",
    });
    expect((await fetch(forged.url, forged)).status).toBe(403);
    // The reason goes to the log, not to the caller.
    expect(logged.filter((entry) => entry.level === "warn").at(-1)?.line).toMatch(/signature/i);
    expect(
      (await fetch(example.webhookUrl.replace("/webhook", "/other"), { method: "POST" })).status,
    ).toBe(404);
  });
});
