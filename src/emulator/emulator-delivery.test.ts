import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./start-emulator.js";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhooks/start-webhook-receiver.js";

/**
 * Issue 12 item 5: what happens after a send, over real HTTP — injected per-address
 * failures with Twilio's error codes, SMS STOP/START/HELP handled as Twilio's standard
 * opt-out handling does, and statuses in the control API and the inspector's data.
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

function signed(emulator: Emulator, request: ReceivedWebhook): boolean {
  const signature = request.headers["x-twilio-signature"];
  return (
    typeof signature === "string" &&
    twilio.validateRequest(emulator.authToken, signature, request.url, request.params)
  );
}

async function control(emulator: Emulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as never };
}

/** The onDeliveryUpdated webhooks of one message: `[status, errorCode]` in arrival order. */
function receiptUpdates(receiver: WebhookReceiver, messageSid: string) {
  return receiver.received
    .filter(
      (request) =>
        request.params.EventType === "onDeliveryUpdated" &&
        request.params.MessageSid === messageSid,
    )
    .map((request) => [request.params.Status, request.params.ErrorCode]);
}

async function reply(emulator: Emulator, conversationSid: string, body: string) {
  const message = await emulator
    .twilioClient()
    .conversations.v1.conversations(conversationSid)
    .messages.create({ author: "agent", body });
  await emulator.idle();
  return message;
}

describe("failures injected per address through the control API", () => {
  it("unreachable ends sent → undelivered 30003, off the device, in receipts, summary and deliveries", async () => {
    const { receiver, emulator, client } = await setup();
    const customer = emulator.customer({ channel: "sms", address: "+15551238001" });
    const { conversationSid } = await customer.send("hi");
    const injected = await control(emulator, "POST", "/_emulator/delivery-failures", {
      address: "+15551238001",
      failure: "unreachable",
    });
    expect(injected).toEqual({
      status: 201,
      body: {
        address: "+15551238001",
        failure: "unreachable",
        errorCode: 30003,
        status: "undelivered",
      },
    });
    const message = await reply(emulator, conversationSid, "are you there?");

    expect(receiptUpdates(receiver, message.sid)).toEqual([
      ["sent", "0"],
      ["undelivered", "30003"],
    ]);
    expect(customer.messages()).toEqual([]);
    const [receipt] = await client.conversations.v1
      .conversations(conversationSid)
      .messages(message.sid)
      .deliveryReceipts.list();
    expect([receipt!.status, receipt!.errorCode]).toEqual(["undelivered", 30003]);
    const fetched = await client.conversations.v1
      .conversations(conversationSid)
      .messages(message.sid)
      .fetch();
    expect(fetched.delivery).toMatchObject({ sent: "all", delivered: "none", undelivered: "all" });
    const deliveries = await control(emulator, "GET", "/_emulator/deliveries");
    expect((deliveries.body as { deliveries: unknown[] }).deliveries).toEqual([
      expect.objectContaining({
        messageSid: message.sid,
        to: "+15551238001",
        from: emulator.numbers.sms,
        channel: "sms",
        status: "undelivered",
        errorCode: 30003,
        history: [
          expect.objectContaining({ status: "sent", errorCode: null }),
          expect.objectContaining({ status: "undelivered", errorCode: 30003 }),
        ],
      }),
    ]);

    // Lifting the rule lets the next message through.
    expect(
      (await control(emulator, "DELETE", "/_emulator/delivery-failures/%2B15551238001")).status,
    ).toBe(204);
    const next = await reply(emulator, conversationSid, "and now?");
    expect(receiptUpdates(receiver, next.sid)).toEqual([
      ["sent", "0"],
      ["delivered", "0"],
    ]);
    expect(customer.messages().map((received) => received.body)).toEqual(["and now?"]);
  });

  it("carrier-filtered is 30007 undelivered, opted-out is 21610 failed without a sent step, for WhatsApp too", async () => {
    const { receiver, emulator } = await setup();
    const sms = emulator.customer({ channel: "sms", address: "+15551238002" });
    const whatsapp = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551238003" });
    const smsConversation = (await sms.send("hi")).conversationSid;
    const whatsappConversation = (await whatsapp.send("hi")).conversationSid;
    emulator.setDeliveryFailure("+15551238002", "carrier-filtered");
    await control(emulator, "POST", "/_emulator/delivery-failures", {
      address: "whatsapp:+15551238003",
      failure: "opted-out",
    });
    const filtered = await reply(emulator, smsConversation, "buy now");
    const refused = await reply(emulator, whatsappConversation, "hello again");
    expect(receiptUpdates(receiver, filtered.sid)).toEqual([
      ["sent", "0"],
      ["undelivered", "30007"],
    ]);
    expect(receiptUpdates(receiver, refused.sid)).toEqual([["failed", "21610"]]);
    for (const request of receiver.received) expect(signed(emulator, request)).toBe(true);
    const listed = await control(emulator, "GET", "/_emulator/delivery-failures");
    expect(
      (listed.body as { failures: Array<{ address: string }> }).failures.map(
        (rule) => rule.address,
      ),
    ).toEqual(["+15551238002", "whatsapp:+15551238003"]);
    expect((await control(emulator, "DELETE", "/_emulator/delivery-failures")).status).toBe(204);
    expect(emulator.deliveries().map((entry) => entry.status)).toEqual(["undelivered", "failed"]);
  });

  it("refuses an unknown failure or a malformed address, naming the field", async () => {
    const { emulator } = await setup();
    const unknown = await control(emulator, "POST", "/_emulator/delivery-failures", {
      address: "+15551238004",
      failure: "exploded",
    });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { message: string }).message).toMatch(
      /"failure" must be one of unreachable/,
    );
    const badAddress = await control(emulator, "POST", "/_emulator/delivery-failures", {
      address: "5551238004",
      failure: "unreachable",
    });
    expect(badAddress.status).toBe(400);
    expect((badAddress.body as { message: string }).message).toMatch(/"address"/);
    expect((await control(emulator, "GET", "/_emulator/delivery-failures")).body).toEqual({
      failures: [],
    });
  });
});

describe("SMS STOP/START/HELP (Twilio support: opt-out keywords, SMS STOP filtering)", () => {
  it("STOP opts out with Twilio's auto-reply, later sends fail 21610, START opts back in", async () => {
    const { receiver, emulator } = await setup();
    const customer = emulator.customer({ channel: "sms", address: "+15551238005" });
    const { conversationSid } = await customer.send("hello");
    const stop = await customer.send("  stop ");
    // The keyword still reaches the application, as Twilio passes it on.
    await emulator.idle();
    const added = receiver.received.filter(
      (request) =>
        request.params.EventType === "onMessageAdded" &&
        request.params.MessageSid === stop.messageSid,
    );
    expect(added.map((request) => request.params.Body)).toEqual(["  stop "]);
    expect(customer.messages()).toEqual([
      expect.objectContaining({
        body: "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.",
        from: emulator.numbers.sms,
        conversationSid: null,
        messageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      }),
    ]);
    const optOuts = await control(emulator, "GET", "/_emulator/opt-outs");
    expect(optOuts.body).toEqual({
      optOuts: [expect.objectContaining({ address: "+15551238005", keyword: "stop" })],
    });

    const refused = await reply(emulator, conversationSid, "one more thing");
    expect(receiptUpdates(receiver, refused.sid)).toEqual([["failed", "21610"]]);

    // Only a whole-message keyword counts; HELP gets no answer while opted out.
    await customer.send("STOP please");
    await customer.send("help");
    expect(customer.messages()).toHaveLength(1);

    await customer.send("Start");
    expect(customer.messages().at(-1)?.body).toBe(
      "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    );
    expect((await control(emulator, "GET", "/_emulator/opt-outs")).body).toEqual({ optOuts: [] });
    const delivered = await reply(emulator, conversationSid, "welcome back");
    expect(receiptUpdates(receiver, delivered.sid)).toEqual([
      ["sent", "0"],
      ["delivered", "0"],
    ]);
    await customer.send("INFO");
    expect(customer.messages().at(-1)?.body).toBe(
      "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    );
  });

  it("synonyms opt out too; WhatsApp has no keyword handling", async () => {
    const { emulator } = await setup();
    const sms = emulator.customer({ channel: "sms", address: "+15551238006" });
    await sms.send("UNSUBSCRIBE");
    expect(sms.messages().map((message) => message.body)).toEqual([
      expect.stringContaining("successfully been unsubscribed"),
    ]);
    // A STOP to a number no conversation takes (404) still opts the sender out.
    const stray = await control(emulator, "POST", "/_emulator/inbound", {
      channel: "sms",
      from: "+15551238010",
      to: "+15550007777",
      body: "QUIT",
    });
    expect(stray.status).toBe(404);
    expect(emulator.deviceMessages("+15551238010").map((message) => message.from)).toEqual([
      "+15550007777",
    ]);
    const whatsapp = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551238007" });
    await whatsapp.send("STOP");
    expect(whatsapp.messages()).toEqual([]);
    expect((await control(emulator, "GET", "/_emulator/opt-outs")).body).toEqual({
      optOuts: [
        expect.objectContaining({ address: "+15551238006", keyword: "UNSUBSCRIBE" }),
        expect.objectContaining({ address: "+15551238010", keyword: "QUIT" }),
      ],
    });
  });
});

describe("statuses in the inspector's data", () => {
  it("GET /_emulator/state carries deliveries and opt-outs", async () => {
    const { emulator } = await setup();
    const customer = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551238008" });
    const { conversationSid } = await customer.send("hi");
    const message = await reply(emulator, conversationSid, "read me");
    await emulator.customer({ channel: "sms", address: "+15551238009" }).send("STOP");
    const response = await fetch(`${emulator.url}/_emulator/state`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`,
      },
    });
    expect(response.status).toBe(200);
    const state = (await response.json()) as {
      deliveries: Array<{ messageSid: string; status: string; history: Array<{ status: string }> }>;
      optOuts: Array<{ address: string }>;
    };
    expect(state.deliveries).toEqual([
      expect.objectContaining({
        messageSid: message.sid,
        status: "read",
        history: [
          expect.objectContaining({ status: "sent" }),
          expect.objectContaining({ status: "delivered" }),
          expect.objectContaining({ status: "read" }),
        ],
      }),
    ]);
    expect(state.optOuts.map((optOut) => optOut.address)).toEqual(["+15551238009"]);
  });
});
