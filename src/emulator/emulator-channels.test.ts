import { afterEach, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "./start-emulator.js";
import { startWebhookReceiver } from "./webhooks/start-webhook-receiver.js";

/**
 * Devices, delivery receipts, the WhatsApp window, templates and media, over real HTTP
 * with the official SDK on the REST side.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const receiver = await startWebhookReceiver();
  closers.push(() => receiver.close());
  const emulator = await startEmulator({ webhookUrl: `${receiver.url}/post` });
  closers.push(() => emulator.close());
  return { receiver, emulator, client: emulator.twilioClient() };
}

const basic = (emulator: Emulator) =>
  `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;

async function deviceMessages(emulator: Emulator, address: string) {
  const response = await fetch(
    `${emulator.url}/_emulator/devices/${encodeURIComponent(address)}/messages`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: Array<Record<string, unknown>> }).messages;
}

describe("devices and delivery receipts", () => {
  it("shows an SMS customer what the agent sent, with receipts sent → delivered", async () => {
    const { receiver, emulator, client } = await setup();
    const customer = emulator.customer({ channel: "sms", address: "+15551230001" });
    const { conversationSid } = await customer.send("where is my order?");
    await client.conversations.v1
      .conversations(conversationSid)
      .messages.create({ author: "agent", body: "On its way" });
    await emulator.idle();
    const messages = await deviceMessages(emulator, "+15551230001");
    expect(messages).toEqual([
      expect.objectContaining({
        body: "On its way",
        from: emulator.numbers.sms,
        status: "delivered",
        media: [],
      }),
    ]);
    expect(customer.messages()).toEqual(messages);
    const deliveryUpdates = receiver.received.filter(
      (request) => request.params.EventType === "onDeliveryUpdated",
    );
    // Issue 14: Twilio reports `sent` before `delivered`, each as its own onDeliveryUpdated.
    expect(deliveryUpdates.map((request) => request.params.Status)).toEqual(["sent", "delivered"]);
    expect(deliveryUpdates[0]!.params.Source).toBe("SMS");
  });

  it("WhatsApp: read receipts inside the window, 63016 outside it, templates still go through", async () => {
    const { receiver, emulator, client } = await setup();
    const customer = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551230002" });
    const { conversationSid } = await customer.send("hi");
    const messages = client.conversations.v1.conversations(conversationSid).messages;
    await messages.create({ author: "agent", body: "inside the window" });
    await emulator.idle();
    expect(customer.messages().map((message) => [message.body, message.status])).toEqual([
      ["inside the window", "read"],
    ]);

    const clock = await fetch(`${emulator.url}/_emulator/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceMs: 24 * 60 * 60 * 1000 + 1000 }),
    });
    expect(clock.status).toBe(200);
    const late = await messages.create({ author: "agent", body: "too late" });
    await emulator.idle();
    const receipts = await messages(late.sid).deliveryReceipts.list();
    expect(receipts.map((receipt) => [receipt.status, receipt.errorCode])).toEqual([
      ["failed", 63016],
    ]);
    const failed = receiver.received.find(
      (request) =>
        request.params.EventType === "onDeliveryUpdated" && request.params.MessageSid === late.sid,
    );
    expect(failed?.params).toMatchObject({ Status: "failed", ErrorCode: "63016" });
    expect(customer.messages()).toHaveLength(1);

    const template = await fetch(`${emulator.url}/v1/Content`, {
      method: "POST",
      headers: { authorization: basic(emulator), "content-type": "application/json" },
      body: JSON.stringify({
        friendly_name: "order_ready",
        language: "en",
        types: { "twilio/text": { body: "Hi {{1}}, your order is ready." } },
      }),
    });
    expect(template.status).toBe(201);
    const { sid: contentSid } = (await template.json()) as { sid: string };
    await messages.create({
      author: "agent",
      contentSid,
      contentVariables: JSON.stringify({ 1: "Ada" }),
    });
    await emulator.idle();
    expect(customer.messages().map((message) => message.body)).toEqual([
      "inside the window",
      "Hi Ada, your order is ready.",
    ]);

    // A new inbound message opens the window again.
    await customer.send("thanks");
    await messages.create({ author: "agent", body: "you're welcome" });
    await emulator.idle();
    expect(customer.messages().at(-1)?.body).toBe("you're welcome");
  });
});

describe("media", () => {
  it("uploads to the media service, attaches to a message, signs the Media webhook param and downloads with auth", async () => {
    const { receiver, emulator, client } = await setup();
    const { conversationSid } = await emulator
      .customer({ channel: "sms", address: "+15551230003" })
      .send("hello");
    const bytes = Buffer.from("\x89PNG fake image bytes");
    const upload = await fetch(`${emulator.url}/v1/Services/${emulator.serviceSid}/Media`, {
      method: "POST",
      headers: {
        authorization: basic(emulator),
        "content-type": "image/png",
        "content-disposition": 'attachment; filename="receipt.png"',
      },
      body: bytes,
    });
    expect(upload.status).toBe(201);
    const { sid: mediaSid } = (await upload.json()) as { sid: string };
    expect(mediaSid).toMatch(/^ME[0-9a-f]{32}$/);
    const message = await client.conversations.v1
      .conversations(conversationSid)
      .messages.create({ author: "agent", mediaSid, xTwilioWebhookEnabled: "true" });
    expect(message.media).toEqual([
      { sid: mediaSid, size: bytes.length, content_type: "image/png", filename: "receipt.png" },
    ]);
    await emulator.idle();
    const added = receiver.received.find(
      (request) => request.params.EventType === "onMessageAdded" && request.params.Source === "API",
    );
    expect(JSON.parse(String(added?.params.Media))).toEqual([
      { Sid: mediaSid, Size: bytes.length, ContentType: "image/png", Filename: "receipt.png" },
    ]);
    const path = `${emulator.url}/v1/Services/${emulator.serviceSid}/Media/${mediaSid}/Content`;
    expect((await fetch(path)).status).toBe(401);
    const download = await fetch(path, { headers: { authorization: basic(emulator) } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    // The customer's phone got the file through a signed link.
    const [received] = await deviceMessages(emulator, "+15551230003");
    const media = (received!.media as Array<{ url: string }>)[0]!;
    const viaDevice = await fetch(media.url);
    expect(Buffer.from(await viaDevice.arrayBuffer())).toEqual(bytes);
  });

  it("stores inbound customer media as uploads and attaches them", async () => {
    const { emulator, client } = await setup();
    const inbound = await fetch(`${emulator.url}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        channel: "whatsapp",
        from: "whatsapp:+15551230004",
        media: [
          {
            contentType: "image/jpeg",
            filename: "cat.jpg",
            base64: Buffer.from("meow").toString("base64"),
          },
        ],
      }),
    });
    expect(inbound.status).toBe(201);
    const { conversationSid, messageSid } = (await inbound.json()) as Record<string, string>;
    const message = await client.conversations.v1
      .conversations(conversationSid!)
      .messages(messageSid!)
      .fetch();
    expect(message.body).toBeNull();
    expect(message.media).toEqual([
      expect.objectContaining({ content_type: "image/jpeg", filename: "cat.jpg", size: 4 }),
    ]);
    const sid = (message.media as Array<{ sid: string }>)[0]!.sid;
    const download = await fetch(
      `${emulator.url}/v1/Services/${emulator.serviceSid}/Media/${sid}/Content`,
      { headers: { authorization: basic(emulator) } },
    );
    expect(await download.text()).toBe("meow");
  });
});

describe("clock and reset", () => {
  it("the clock fires conversation timers; reset clears state but keeps the numbers", async () => {
    const { emulator, client } = await setup();
    const conversation = await client.conversations.v1.conversations.create({
      "timers.inactive": "PT5M",
    });
    await fetch(`${emulator.url}/_emulator/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceMs: 6 * 60 * 1000 }),
    });
    await vi.waitFor(
      async () =>
        expect((await client.conversations.v1.conversations(conversation.sid).fetch()).state).toBe(
          "inactive",
        ),
      { timeout: 5000 },
    );
    const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
    expect(reset.status).toBe(204);
    expect(await client.conversations.v1.conversations.list()).toHaveLength(0);
    const again = await emulator.customer({ channel: "sms", address: "+15551230005" }).send("hi");
    expect(again.conversationSid).toMatch(/^CH/);
  });
});

describe("business numbers", () => {
  it("uses custom numbers, lists their address configurations over REST, and refuses malformed ones", async () => {
    const emulator = await startEmulator({
      numbers: { sms: "+15550001111", whatsapp: "whatsapp:+15550002222" },
    });
    closers.push(() => emulator.close());
    const configurations = await emulator
      .twilioClient()
      .conversations.v1.addressConfigurations.list();
    expect(configurations.map((configuration) => configuration.address).sort()).toEqual([
      "+15550001111",
      "whatsapp:+15550002222",
    ]);
    const sent = await emulator
      .customer({ channel: "whatsapp", address: "whatsapp:+15551239999" })
      .send("hi");
    const participants = await emulator
      .twilioClient()
      .conversations.v1.conversations(sent.conversationSid)
      .participants.list();
    expect(participants[0]?.messagingBinding).toMatchObject({
      proxy_address: "whatsapp:+15550002222",
    });
    await expect(startEmulator({ numbers: { sms: "15550001111" } })).rejects.toThrow(/E\.164/);
    await expect(startEmulator({ numbers: { whatsapp: "+15550002222" } })).rejects.toThrow(
      /whatsapp:/,
    );
    await expect(startEmulator({ webhookUrl: "ftp://x" })).rejects.toThrow(/webhookUrl/);
  });
});
