import twilio from "twilio";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "./start-emulator.js";
import {
  type ReceivedWebhook,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhooks/start-webhook-receiver.js";

/**
 * Issue 3 end to end over real HTTP: the official SDK drives the emulator's REST API, a
 * simulated customer writes in, and a receiver that checks every request with the SDK's
 * own `validateRequest` sees the webhooks.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(
  answer?: (request: ReceivedWebhook, count: number) => ReceiverAnswer,
  options: { webhookRetries?: number; webhookTimeoutMs?: number; serviceWebhook?: boolean } = {},
) {
  const receiver = await startWebhookReceiver(answer);
  closers.push(() => receiver.close());
  const { serviceWebhook = true, ...emulatorOptions } = options;
  const emulator = await startEmulator({
    // A service webhook silences the account-level ones, so account-level tests go without.
    ...(serviceWebhook ? { webhookUrl: `${receiver.url}/post` } : {}),
    webhookBackoff: () => 20,
    ...emulatorOptions,
  });
  closers.push(() => emulator.close());
  return { receiver, emulator, client: emulator.twilioClient() };
}

function signed(emulator: Emulator, request: ReceivedWebhook): boolean {
  const signature = request.headers["x-twilio-signature"];
  return (
    typeof signature === "string" &&
    twilio.validateRequest(emulator.authToken, signature, request.url, request.params)
  );
}

const events = (receiver: WebhookReceiver) =>
  receiver.received.map((request) => String(request.params.EventType));

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as never };
}

describe("inbound customer messages fire signed webhooks", () => {
  it("auto-creates a conversation for an inbound SMS and every delivery passes validateRequest", async () => {
    const { receiver, emulator, client } = await setup();
    const inbound = await postJson(`${emulator.url}/_emulator/inbound`, {
      channel: "sms",
      from: "+15551230001",
      body: "Hello from SMS",
    });
    expect(inbound.status).toBe(201);
    const { conversationSid, messageSid } = inbound.body as {
      conversationSid: string;
      messageSid: string;
    };
    expect(conversationSid).toMatch(/^CH[0-9a-f]{32}$/);
    await emulator.idle();
    expect(events(receiver)).toEqual(
      expect.arrayContaining(["onConversationAdded", "onParticipantAdded", "onMessageAdded"]),
    );
    for (const request of receiver.received) expect(signed(emulator, request)).toBe(true);
    const added = receiver.received.find(
      (request) => request.params.EventType === "onMessageAdded",
    )!;
    expect(added.params).toMatchObject({
      AccountSid: emulator.accountSid,
      ChatServiceSid: emulator.serviceSid,
      ConversationSid: conversationSid,
      MessageSid: messageSid,
      Author: "+15551230001",
      Body: "Hello from SMS",
      Source: "SMS",
      Index: "0",
      RetryCount: "0",
    });
    expect(added.params.DateCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const participant = receiver.received.find(
      (request) => request.params.EventType === "onParticipantAdded",
    )!;
    expect(participant.params["MessagingBinding.Address"]).toBe("+15551230001");
    expect(participant.params["MessagingBinding.ProxyAddress"]).toBe(emulator.numbers.sms);

    // The same customer again lands in the same conversation, seen through the SDK.
    const again = await emulator
      .customer({ channel: "sms", address: "+15551230001" })
      .send("Again");
    expect(again.conversationSid).toBe(conversationSid);
    const messages = await client.conversations.v1.conversations(conversationSid).messages.list();
    expect(messages.map((message) => message.body)).toEqual(["Hello from SMS", "Again"]);
  });

  it("delivers into a conversation holding the pair over REST, and 404s without an address configuration", async () => {
    const { emulator, client } = await setup();
    const conversation = await client.conversations.v1.conversations.create({
      friendlyName: "Ops",
    });
    await client.conversations.v1.conversations(conversation.sid).participants.create({
      "messagingBinding.address": "+15551230002",
      "messagingBinding.proxyAddress": "+15550009999",
    });
    const held = await postJson(`${emulator.url}/_emulator/inbound`, {
      channel: "sms",
      from: "+15551230002",
      to: "+15550009999",
      body: "into the REST conversation",
    });
    expect(held.status).toBe(201);
    expect((held.body as { conversationSid: string }).conversationSid).toBe(conversation.sid);

    const unknown = await postJson(`${emulator.url}/_emulator/inbound`, {
      channel: "sms",
      from: "+15551230003",
      to: "+15550009999",
      body: "nobody configured this number",
    });
    expect(unknown.status).toBe(404);
    expect((unknown.body as { message: string }).message).toMatch(/address configuration/);
  });

  it("sends a chat message as the identity's participant with Source=SDK and ClientIdentity", async () => {
    const { receiver, emulator } = await setup();
    const first = await emulator.customer({ channel: "chat", address: "web-visitor-1" }).send("hi");
    const second = await postJson(`${emulator.url}/_emulator/inbound`, {
      channel: "chat",
      from: "web-visitor-1",
      conversationSid: first.conversationSid,
      body: "still me",
    });
    expect(second.status).toBe(201);
    await emulator.idle();
    const added = receiver.received.filter(
      (request) => request.params.EventType === "onMessageAdded",
    );
    expect(added).toHaveLength(2);
    for (const request of added) {
      expect(request.params.Source).toBe("SDK");
      expect(request.params.ClientIdentity).toBe("web-visitor-1");
      expect(request.params.ConversationSid).toBe(first.conversationSid);
    }
  });
});

describe("REST actions and the webhook header", () => {
  it("stays silent without X-Twilio-Webhook-Enabled and fires with Source=API with it", async () => {
    const { receiver, emulator, client } = await setup();
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1
      .conversations(conversation.sid)
      .messages.create({ body: "quiet" });
    await emulator.idle();
    expect(receiver.received).toHaveLength(0);

    await client.conversations.v1
      .conversations(conversation.sid)
      .messages.create({ body: "loud", xTwilioWebhookEnabled: "true" });
    await emulator.idle();
    expect(events(receiver)).toEqual(["onMessageAdded"]);
    expect(receiver.received[0]!.params).toMatchObject({ Source: "API", Body: "loud" });
    expect(signed(emulator, receiver.received[0]!)).toBe(true);
  });

  it("a rejecting pre-event stores nothing and fires no post-event; a JSON answer modifies", async () => {
    const { receiver, emulator, client } = await setup((request) => {
      if (!request.url.includes("/pre")) return {};
      if (String(request.params.Body).includes("spam")) return { status: 403 };
      if (String(request.params.Body).includes("secret"))
        return { status: 200, body: JSON.stringify({ body: "[redacted]" }) };
      return {};
    });
    await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .update({
        preWebhookUrl: `${receiver.url}/pre`,
        postWebhookUrl: `${receiver.url}/post`,
        filters: ["onMessageAdd", "onMessageAdded"],
      });
    const conversation = await client.conversations.v1.conversations.create({});
    const messages = client.conversations.v1.conversations(conversation.sid).messages;
    await expect(
      messages.create({ body: "buy spam", xTwilioWebhookEnabled: "true" }),
    ).rejects.toMatchObject({ status: 403 });
    const modified = await messages.create({ body: "my secret", xTwilioWebhookEnabled: "true" });
    expect(modified.body).toBe("[redacted]");
    await emulator.idle();
    const stored = await messages.list();
    expect(stored.map((message) => message.body)).toEqual(["[redacted]"]);
    const posts = receiver.received.filter((request) => request.url.includes("/post"));
    expect(posts.map((request) => request.params.Body)).toEqual(["[redacted]"]);
    for (const request of receiver.received) expect(signed(emulator, request)).toBe(true);
  });

  it("keeps the idempotency token across retries and raises RetryCount", async () => {
    const { receiver, emulator } = await setup((request) =>
      request.params.EventType === "onConversationAdded" && Number(request.params.RetryCount) < 2
        ? { status: 500 }
        : {},
    );
    await emulator.customer({ channel: "sms", address: "+15551230004" }).send("retry me");
    await emulator.idle();
    const conversationAdded = receiver.received.filter(
      (request) => request.params.EventType === "onConversationAdded",
    );
    expect(conversationAdded).toHaveLength(3);
    const tokens = new Set(
      conversationAdded.map((request) => request.headers["i-twilio-idempotency-token"]),
    );
    expect(tokens.size).toBe(1);
    expect(conversationAdded.map((request) => request.params.RetryCount)).toEqual(["0", "1", "2"]);
    for (const request of receiver.received) expect(signed(emulator, request)).toBe(true);
    const log = await (await fetch(`${emulator.url}/_emulator/webhooks`)).json();
    const entry = (log as { deliveries: Array<Record<string, unknown>> }).deliveries.find(
      (delivery) => delivery.event === "onConversationAdded",
    )!;
    expect(entry).toMatchObject({ status: 200, attempts: 3, url: `${receiver.url}/post` });
  });

  it("honours webhookRetries: 0 (one attempt only)", async () => {
    const { receiver, emulator } = await setup(() => ({ status: 503 }), { webhookRetries: 0 });
    await emulator.customer({ channel: "sms", address: "+15551230005" }).send("once");
    await emulator.idle();
    const added = receiver.received.filter(
      (request) => request.params.EventType === "onMessageAdded",
    );
    expect(added).toHaveLength(1);
  });
});

describe("webhook timeouts", () => {
  it("a pre-event that does not answer in time lets the action proceed", async () => {
    const { receiver, emulator, client } = await setup(
      (request) => (request.url.includes("/slow-pre") ? { delayMs: 1000 } : {}),
      { webhookTimeoutMs: 100 },
    );
    await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .update({
        preWebhookUrl: `${receiver.url}/slow-pre`,
        filters: ["onMessageAdd"],
      });
    const conversation = await client.conversations.v1.conversations.create({});
    const message = await client.conversations.v1
      .conversations(conversation.sid)
      .messages.create({ body: "no answer needed", xTwilioWebhookEnabled: "true" });
    expect(message.body).toBe("no answer needed");
    const log = emulator.webhookDeliveries().find((entry) => entry.event === "onMessageAdd");
    expect(log).toMatchObject({ status: "timeout", outcome: "proceed" });
  });
});

describe("webhook delivery faults", () => {
  it("delays a delivery so a later one overtakes it", async () => {
    const { receiver, emulator } = await setup();
    // Far longer than the test runs: the held delivery is ended by close(), not by time.
    await postJson(`${emulator.url}/_emulator/webhooks/faults`, {
      match: { event: "onMessageAdded" },
      fault: { delayMs: 60_000 },
      times: 1,
    });
    const customer = emulator.customer({ channel: "sms", address: "+15551230010" });
    await customer.send("held back");
    await customer.send("overtakes");
    const bodies = () =>
      receiver.received
        .filter((request) => request.params.EventType === "onMessageAdded")
        .map((request) => request.params.Body);
    await vi.waitFor(() => expect(bodies()).toContain("overtakes"), { timeout: 5000 });
    expect(bodies()).toEqual(["overtakes"]);
  });

  it("duplicates a delivery with the same token", async () => {
    const { receiver, emulator } = await setup();
    const rule = await postJson(`${emulator.url}/_emulator/webhooks/faults`, {
      match: { event: "onMessageAdded" },
      fault: { duplicate: true },
    });
    expect(rule.status).toBe(201);
    await emulator.customer({ channel: "sms", address: "+15551230006" }).send("twice");
    await emulator.idle();
    const added = receiver.received.filter(
      (request) => request.params.EventType === "onMessageAdded",
    );
    expect(added).toHaveLength(2);
    expect(added[0]!.headers["i-twilio-idempotency-token"]).toBe(
      added[1]!.headers["i-twilio-idempotency-token"],
    );
  });

  it("drops a delivery: never sent, logged as dropped, the message still listed", async () => {
    const { receiver, emulator, client } = await setup();
    await postJson(`${emulator.url}/_emulator/webhooks/faults`, {
      match: { event: "onMessageAdded" },
      fault: { drop: true },
      times: 1,
    });
    const customer = emulator.customer({ channel: "sms", address: "+15551230011" });
    const lost = await customer.send("lost");
    await customer.send("delivered");
    await emulator.idle();
    const bodies = receiver.received
      .filter((request) => request.params.EventType === "onMessageAdded")
      .map((request) => request.params.Body);
    expect(bodies).toEqual(["delivered"]);
    const listed = await client.conversations.v1
      .conversations(lost.conversationSid)
      .messages.list();
    expect(listed.map((message) => message.body)).toEqual(["lost", "delivered"]);
    const log = (await (await fetch(`${emulator.url}/_emulator/webhooks`)).json()) as {
      deliveries: { status: unknown; faults: string[] }[];
    };
    expect(
      log.deliveries.some((entry) => entry.status === "dropped" && entry.faults.includes("drop")),
    ).toBe(true);
  });

  it("reorders held deliveries", async () => {
    const { receiver, emulator } = await setup();
    await postJson(`${emulator.url}/_emulator/webhooks/faults`, {
      match: { event: "onMessageAdded" },
      fault: { reorder: { count: 2, holdMs: 2000, order: "reverse" } },
    });
    const customer = emulator.customer({ channel: "sms", address: "+15551230007" });
    await customer.send("first");
    await customer.send("second");
    await vi.waitFor(
      () => {
        const added = receiver.received.filter(
          (request) => request.params.EventType === "onMessageAdded",
        );
        expect(added.map((request) => request.params.Body)).toEqual(["second", "first"]);
      },
      { timeout: 5000 },
    );
  });
});

describe("webhook levels", () => {
  it("an account-level pre-event sees the auto-creation binding and its rejection stores nothing", async () => {
    const { receiver, emulator, client } = await setup(
      (request) => (request.url.includes("/account-pre") ? { status: 403 } : {}),
      { serviceWebhook: false },
    );
    await client.conversations.v1.configuration.webhooks().update({
      preWebhookUrl: `${receiver.url}/account-pre`,
      filters: ["onConversationAdd"],
      method: "POST",
    });
    const inbound = await postJson(`${emulator.url}/_emulator/inbound`, {
      channel: "whatsapp",
      from: "whatsapp:+15551230008",
      body: "let me in",
    });
    expect(inbound.status).toBe(403);
    const pre = receiver.received.find((request) => request.url.includes("/account-pre"))!;
    expect(pre.params).toMatchObject({
      EventType: "onConversationAdd",
      Source: "WHATSAPP",
      "MessagingBinding.Address": "whatsapp:+15551230008",
      "MessagingBinding.ProxyAddress": emulator.numbers.whatsapp,
    });
    expect(signed(emulator, pre)).toBe(true);
    expect(await client.conversations.v1.conversations.list()).toHaveLength(0);
    await emulator.idle();
    expect(events(receiver)).toEqual(["onConversationAdd"]);
  });

  it("a conversation-scoped webhook gets its filtered events with WebhookSid and WebhookType", async () => {
    const { receiver, emulator, client } = await setup();
    const customer = emulator.customer({ channel: "sms", address: "+15551230009" });
    const { conversationSid } = await customer.send("first");
    const webhook = await client.conversations.v1.conversations(conversationSid).webhooks.create({
      target: "webhook",
      "configuration.url": `${receiver.url}/scoped`,
      "configuration.filters": ["onMessageAdded"],
      "configuration.method": "post",
    });
    await customer.send("second");
    await emulator.idle();
    const scoped = receiver.received.filter((request) => request.url.includes("/scoped"));
    expect(scoped).toHaveLength(1);
    expect(scoped[0]!.params).toMatchObject({
      EventType: "onMessageAdded",
      Body: "second",
      WebhookSid: webhook.sid,
      WebhookType: "webhook",
    });
    expect(signed(emulator, scoped[0]!)).toBe(true);
  });
});
