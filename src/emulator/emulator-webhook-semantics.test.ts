import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./start-emulator.js";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhooks/start-webhook-receiver.js";

/**
 * Issue 14 item 2: webhook behaviours as Twilio documents them, each test naming the
 * document it follows. Real HTTP throughout: the official SDK drives REST, a receiver
 * checks every webhook with the SDK's `validateRequest`.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: { serviceWebhook?: boolean } = {}) {
  const receiver = await startWebhookReceiver();
  closers.push(() => receiver.close());
  const emulator = await startEmulator(
    options.serviceWebhook === false ? {} : { webhookUrl: `${receiver.url}/service` },
  );
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

const at = (receiver: WebhookReceiver, path: string) =>
  receiver.received.filter((request) => new URL(request.url).pathname === path);

const ofType = (requests: ReceivedWebhook[], eventType: string) =>
  requests.filter((request) => request.params.EventType === eventType);

describe("service-level webhooks replace the account-level ones (Twilio docs: Per-Service Webhook Resource)", () => {
  it("fires only the service's webhook for a service that has one, and the account's elsewhere", async () => {
    const { receiver, emulator, client } = await setup();
    await client.conversations.v1.configuration.webhooks().update({
      postWebhookUrl: `${receiver.url}/account`,
      filters: ["onMessageAdded"],
      method: "POST",
    });
    // The default service has a service-level webhook: only it fires.
    await emulator.customer({ channel: "sms", address: "+15551239001" }).send("hello");
    await emulator.idle();
    expect(ofType(at(receiver, "/service"), "onMessageAdded")).toHaveLength(1);
    expect(at(receiver, "/account")).toEqual([]);

    // A service without webhooks of its own gets the account-level ones.
    const other = await client.conversations.v1.services.create({ friendlyName: "other" });
    const conversation = await client.conversations.v1.services(other.sid).conversations.create({});
    await client.conversations.v1
      .services(other.sid)
      .conversations(conversation.sid)
      .messages.create({ author: "ops", body: "over REST", xTwilioWebhookEnabled: "true" });
    await emulator.idle();
    const account = at(receiver, "/account");
    expect(account.map((request) => request.params.Body)).toEqual(["over REST"]);
    expect(account[0]!.params.ChatServiceSid).toBe(other.sid);
    expect(signed(emulator, account[0]!)).toBe(true);
    expect(at(receiver, "/service").map((request) => request.params.Body)).not.toContain(
      "over REST",
    );
  });
});

describe("address configuration webhooks (Twilio docs: Address Configuration Resource)", () => {
  it("attaches the auto-creation webhook to each auto-created conversation and calls it", async () => {
    const { receiver, emulator, client } = await setup({ serviceWebhook: false });
    const number = "+15550002222";
    await client.conversations.v1.addressConfigurations.create({
      type: "sms",
      address: number,
      "autoCreation.enabled": true,
      "autoCreation.type": "webhook",
      "autoCreation.webhookUrl": `${receiver.url}/auto`,
      "autoCreation.webhookMethod": "post",
      "autoCreation.webhookFilters": ["onParticipantAdded", "onMessageAdded"],
    });
    const customer = emulator.customer({ channel: "sms", address: "+15551239002", to: number });
    const { conversationSid, messageSid } = await customer.send("first words");
    await emulator.idle();

    const webhooks = await client.conversations.v1.conversations(conversationSid).webhooks.list();
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]).toMatchObject({
      target: "webhook",
      configuration: expect.objectContaining({ url: `${receiver.url}/auto` }),
    });
    const auto = at(receiver, "/auto");
    expect(auto.map((request) => request.params.EventType)).toEqual([
      "onParticipantAdded",
      "onMessageAdded",
    ]);
    expect(auto[1]!.params).toMatchObject({
      MessageSid: messageSid,
      Body: "first words",
      Source: "SMS",
      WebhookSid: webhooks[0]!.sid,
      WebhookType: "webhook",
    });
    for (const request of auto) expect(signed(emulator, request)).toBe(true);

    // The default business numbers (type `default`) attach nothing.
    const plain = await emulator.customer({ channel: "sms", address: "+15551239003" }).send("hi");
    const none = await client.conversations.v1.conversations(plain.conversationSid).webhooks.list();
    expect(none).toEqual([]);
  });
});

describe("onConversationAdded of an auto-created conversation (Twilio docs: Conversations Webhooks, Event Streams conversation.added)", () => {
  it("carries MessagingBinding.* and MessageBody for SMS and WhatsApp, and the pre-event does too", async () => {
    const { receiver, emulator, client } = await setup();
    await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .update({
        preWebhookUrl: `${receiver.url}/pre`,
        postWebhookUrl: `${receiver.url}/service`,
        filters: ["onConversationAdd", "onConversationAdded"],
      });
    await emulator.customer({ channel: "sms", address: "+15551239004" }).send("Is it open?");
    await emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551239005" }).send("Hola");
    await client.conversations.v1.conversations.create({ friendlyName: "REST made" });
    await emulator.idle();

    const added = ofType(at(receiver, "/service"), "onConversationAdded");
    expect(added).toHaveLength(2);
    expect(added[0]!.params).toMatchObject({
      "MessagingBinding.Address": "+15551239004",
      "MessagingBinding.ProxyAddress": emulator.numbers.sms,
      MessageBody: "Is it open?",
      Source: "SMS",
    });
    expect(added[1]!.params).toMatchObject({
      "MessagingBinding.Address": "whatsapp:+15551239005",
      "MessagingBinding.ProxyAddress": emulator.numbers.whatsapp,
      MessageBody: "Hola",
      Source: "WHATSAPP",
    });
    const pre = ofType(at(receiver, "/pre"), "onConversationAdd");
    expect(pre.map((request) => request.params.MessageBody)).toEqual(["Is it open?", "Hola"]);
    for (const request of [...added, ...pre]) expect(signed(emulator, request)).toBe(true);
  });
});

describe("delivery receipts (Twilio docs: onDeliveryUpdated, Conversation Message Receipt Resource)", () => {
  it("reports sent before delivered/read, counts cumulatively and uses the channel's SID prefix", async () => {
    const { receiver, emulator, client } = await setup();
    const sms = await emulator.customer({ channel: "sms", address: "+15551239006" }).send("hi");
    const whatsapp = await emulator
      .customer({ channel: "whatsapp", address: "whatsapp:+15551239007" })
      .send("hi");
    const smsReply = await client.conversations.v1
      .conversations(sms.conversationSid)
      .messages.create({ author: "agent", body: "by SMS" });
    const whatsappReply = await client.conversations.v1
      .conversations(whatsapp.conversationSid)
      .messages.create({ author: "agent", body: "by WhatsApp" });
    await emulator.idle();

    const updates = ofType(at(receiver, "/service"), "onDeliveryUpdated");
    const statuses = (messageSid: string) =>
      updates
        .filter((request) => request.params.MessageSid === messageSid)
        .map((request) => request.params.Status);
    expect(statuses(smsReply.sid)).toEqual(["sent", "delivered"]);
    expect(statuses(whatsappReply.sid)).toEqual(["sent", "delivered", "read"]);
    for (const request of updates) expect(signed(emulator, request)).toBe(true);

    const [smsReceipt] = await client.conversations.v1
      .conversations(sms.conversationSid)
      .messages(smsReply.sid)
      .deliveryReceipts.list();
    const [whatsappReceipt] = await client.conversations.v1
      .conversations(whatsapp.conversationSid)
      .messages(whatsappReply.sid)
      .deliveryReceipts.list();
    expect(smsReceipt!.channelMessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(whatsappReceipt!.channelMessageSid).toMatch(/^WA[0-9a-f]{32}$/);
    expect(whatsappReceipt!.status).toBe("read");
    const whatsappUpdate = updates.find(
      (request) => request.params.MessageSid === whatsappReply.sid,
    );
    expect(whatsappUpdate!.params.ChannelMessageSid).toBe(whatsappReceipt!.channelMessageSid);

    // A read message was also delivered and sent: the summary counts cumulatively.
    const fetched = await client.conversations.v1
      .conversations(whatsapp.conversationSid)
      .messages(whatsappReply.sid)
      .fetch();
    expect(fetched.delivery).toEqual({
      total: 1,
      sent: "all",
      delivered: "all",
      read: "all",
      undelivered: "none",
      failed: "none",
    });
    const smsFetched = await client.conversations.v1
      .conversations(sms.conversationSid)
      .messages(smsReply.sid)
      .fetch();
    expect(smsFetched.delivery).toMatchObject({ sent: "all", delivered: "all", read: "none" });
  });
});

describe("timer-driven state changes (Twilio docs: onConversationStateUpdated Reason API/TIMER/EVENT)", () => {
  it("a timer's change carries Reason=TIMER and no Source; a message reactivating it is an EVENT", async () => {
    const { receiver, emulator, client } = await setup();
    const customer = emulator.customer({ channel: "sms", address: "+15551239008" });
    const { conversationSid } = await customer.send("hello");
    await client.conversations.v1
      .conversations(conversationSid)
      .update({ "timers.inactive": "PT1M" });
    emulator.clock.advance(61_000);
    await emulator.idle();
    await customer.send("still there?");
    await emulator.idle();

    const changes = ofType(at(receiver, "/service"), "onConversationStateUpdated");
    expect(changes.map((request) => request.params.StateTo)).toEqual(["inactive", "active"]);
    const [timer, event] = changes;
    expect(timer!.params).toMatchObject({ StateFrom: "active", Reason: "TIMER" });
    expect(timer!.params).not.toHaveProperty("Source");
    expect(event!.params).toMatchObject({ StateFrom: "inactive", Reason: "EVENT", Source: "SMS" });
    for (const request of changes) expect(signed(emulator, request)).toBe(true);
  });
});
