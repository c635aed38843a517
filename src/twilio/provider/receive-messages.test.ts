import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { StreamOverflowError, WebhookParseError } from "../errors.js";
import type { WebhookEvent } from "../webhook/event-types.js";
import { createNodeWebhookHandler } from "../webhook/handlers/node-handler.js";
import { parseWebhookEvent } from "../webhook/parse-webhook-event.js";
import { signedWebhookRequest, webhookFixture } from "../webhook/webhook-fixtures.js";
import { InvalidInputError, ProviderStoppedError } from "./provider-errors.js";
import type { TwilioMessage } from "./provider-types.js";
import { TwilioProvider } from "./twilio-provider.js";

// The whole path over real HTTP: a customer writes to the emulator, the emulator posts a
// signed onMessageAdded to this test's webhook server, which verifies and parses it
// (parseWebhookEvent) and hands it to provider.handleWebhook.
let emulator: Emulator;
let server: Server;
let webhookUrl: string;
let provider: TwilioProvider;
let failListener = false;

beforeAll(async () => {
  server = createServer((request, response) => {
    void createNodeWebhookHandler({
      authToken: emulator.authToken,
      url: webhookUrl,
      onEvent: (event) => provider.handleWebhook(event),
    })(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  emulator = await startEmulator({ port: 0, webhookUrl, webhookRetries: 0 });
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  emulator.reset();
  failListener = false;
  provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  });
});

/** A customer's first message, which auto-creates the conversation. */
async function openConversation(address = "+15551230001") {
  const customer = emulator.customer({ channel: "sms", address });
  const first = await customer.send("first");
  await emulator.idle();
  return { customer, conversationSid: first.conversationSid };
}

async function take<T>(stream: AsyncIterator<T>, count: number): Promise<T[]> {
  const taken: T[] = [];
  for (let index = 0; index < count; index += 1) {
    const next = await stream.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

describe("receiveMessages", () => {
  it("gives every consumer its own full stream (fan-out), with channel and author", async () => {
    const { customer, conversationSid } = await openConversation();
    const first = provider.receiveMessages(conversationSid);
    const second = provider.receiveMessages(conversationSid);
    await customer.send("second");
    await customer.send("third");
    await emulator.idle();

    const fromFirst = await take(first, 2);
    const fromSecond = await take(second, 2);
    expect(fromFirst.map((message) => message.content)).toEqual(["second", "third"]);
    expect(fromSecond.map((message) => message.content)).toEqual(["second", "third"]);
    expect(fromFirst[0]).toMatchObject({
      conversationId: conversationSid,
      from: "+15551230001",
      channel: "sms",
    });
    expect(fromFirst[0]?.id).toMatch(/^IM/);
    // The same messages, as history reports them.
    const history: TwilioMessage[] = [];
    for await (const message of provider.listMessages(conversationSid)) history.push(message);
    expect(history.map((message) => message.id).slice(1)).toEqual(
      fromFirst.map((message) => message.id),
    );
  });

  it("drops a webhook retry of the same message (same MessageSid)", async () => {
    const conversationSid = "CH00000000000000000000000000000001";
    const stream = provider.receiveMessages(conversationSid);
    const params = webhookFixture("onMessageAdded", {
      ConversationSid: conversationSid,
      Body: "once",
    });
    const event = await parseWebhookEvent(
      new Request("https://example.com/hook", {
        method: "POST",
        body: new URLSearchParams(params),
      }),
      { verify: false },
    );
    await provider.handleWebhook(event);
    await provider.handleWebhook({ ...event, retryCount: 1 } as WebhookEvent);
    await provider.handleWebhook(
      await parseWebhookEvent(
        new Request("https://example.com/hook", {
          method: "POST",
          body: new URLSearchParams({
            ...params,
            MessageSid: "IM00000000000000000000000000000099",
            Body: "twice",
          }),
        }),
        { verify: false },
      ),
    );
    await provider.stop();
    const received: string[] = [];
    for await (const message of stream) received.push(message.content ?? "");
    expect(received).toEqual(["once", "twice"]);
  });

  it("drops a repeated delivery for events() streams and on() listeners too", async () => {
    const conversationSid = "CH00000000000000000000000000000002";
    const events = provider.events();
    const heard: string[] = [];
    provider.on("message.new", (event) => {
      heard.push(event.data.messageSid);
    });
    const event = await parseWebhookEvent(
      new Request("https://example.com/hook", {
        method: "POST",
        body: new URLSearchParams(
          webhookFixture("onMessageAdded", { ConversationSid: conversationSid, Body: "once" }),
        ),
      }),
      { verify: false },
    );
    await provider.handleWebhook(event);
    await provider.handleWebhook({ ...event, retryCount: 1 } as WebhookEvent);
    await provider.stop();
    const streamed: string[] = [];
    for await (const item of events)
      if (item.type === "message.new") streamed.push(item.data.messageSid);
    expect(streamed).toEqual([event.type === "message.new" ? event.data.messageSid : ""]);
    expect(heard).toEqual(streamed);
  });

  it("hands a retry to listeners again after a listener failed, but streams it once", async () => {
    const conversationSid = "CH00000000000000000000000000000003";
    const events = provider.events();
    let attempts = 0;
    provider.on("message.new", () => {
      attempts += 1;
      if (attempts === 1) throw new Error("not handled yet");
    });
    const event = await parseWebhookEvent(
      new Request("https://example.com/hook", {
        method: "POST",
        body: new URLSearchParams(
          webhookFixture("onMessageAdded", { ConversationSid: conversationSid, Body: "again" }),
        ),
      }),
      { verify: false },
    );
    await expect(provider.handleWebhook(event)).rejects.toThrow("not handled yet");
    await provider.handleWebhook({ ...event, retryCount: 1 } as WebhookEvent);
    await provider.handleWebhook({ ...event, retryCount: 2 } as WebhookEvent);
    expect(attempts).toBe(2);
    await provider.stop();
    let streamed = 0;
    for await (const item of events) if (item.type === "message.new") streamed += 1;
    expect(streamed).toBe(1);
  });

  it("delivers out-of-order webhooks as they arrive, each with its index to sort by", async () => {
    const conversationSid = "CH00000000000000000000000000000001";
    const stream = provider.receiveMessages(conversationSid);
    for (const [index, sid] of [
      ["5", "IM00000000000000000000000000000005"],
      ["4", "IM00000000000000000000000000000004"],
    ] as const) {
      const fields = webhookFixture("onMessageAdded", { Index: index, MessageSid: sid });
      await provider.handleWebhook(
        await parseWebhookEvent(
          new Request("https://example.com/hook", {
            method: "POST",
            body: new URLSearchParams(fields),
          }),
          { verify: false },
        ),
      );
    }
    // An event for a conversation nobody listens to is fine too.
    await provider.handleWebhook(
      await parseWebhookEvent(
        new Request("https://example.com/hook", {
          method: "POST",
          body: new URLSearchParams(
            webhookFixture("onMessageAdded", {
              ConversationSid: "CH00000000000000000000000000000777",
            }),
          ),
        }),
        { verify: false },
      ),
    );
    expect((await take(stream, 2)).map((message) => message.index)).toEqual([5, 4]);
  });

  it("ends a slow consumer's stream with StreamOverflowError saying how many it missed", async () => {
    const small = new TwilioProvider({
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      conversationsServiceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
      streamBufferSize: 2,
    });
    provider = small;
    const { customer, conversationSid } = await openConversation();
    const slow = small.receiveMessages(conversationSid);
    const keepingUp = small.receiveMessages(conversationSid, { bufferSize: 10 });
    for (const text of ["a", "b", "c", "d", "e"]) await customer.send(text);
    await emulator.idle();

    const error = await slow.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamOverflowError);
    expect((error as StreamOverflowError).missed).toBe(5);
    // The other consumer is unaffected.
    expect((await take(keepingUp, 5)).map((message) => message.content)).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
  });

  it("ends on stop() after delivering what was buffered", async () => {
    const { customer, conversationSid } = await openConversation();
    const stream = provider.receiveMessages(conversationSid);
    await customer.send("before stop");
    await emulator.idle();
    await provider.stop();
    const received: string[] = [];
    for await (const message of stream) received.push(message.content ?? "");
    expect(received).toEqual(["before stop"]);
    // stop() is final: a stream asked for afterwards is refused, not silently empty.
    expect(() => provider.receiveMessages(conversationSid)).toThrow(ProviderStoppedError);
    expect(() => provider.events()).toThrow(ProviderStoppedError);
    expect(() => provider.on("message.new", () => {})).toThrow(ProviderStoppedError);
  });

  it("ends when the conversation is closed, by this provider or by a webhook", async () => {
    const { conversationSid } = await openConversation();
    const ours = provider.receiveMessages(conversationSid);
    await provider.closeConversation(conversationSid);
    expect(await ours.next()).toEqual({ value: undefined, done: true });

    // Closed elsewhere (another process, a timer): the state webhook ends the stream.
    const { conversationSid: other } = await openConversation("+15551230002");
    const theirs = provider.receiveMessages(other);
    await emulator
      .twilioClient()
      .conversations.v1.services(emulator.serviceSid)
      .conversations(other)
      .update({ state: "closed", xTwilioWebhookEnabled: "true" });
    await emulator.idle();
    expect(await theirs.next()).toEqual({ value: undefined, done: true });
  });

  it("ends when the signal aborts", async () => {
    const { customer, conversationSid } = await openConversation();
    const controller = new AbortController();
    const stream = provider.receiveMessages(conversationSid, { signal: controller.signal });
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    await customer.send("after abort");
    await emulator.idle();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("needs the conversation SID", () => {
    expect(() => provider.receiveMessages("ticket-42")).toThrow(InvalidInputError);
  });

  it("refuses a bad bufferSize or signal with InvalidInputError naming it", async () => {
    const { conversationSid } = await openConversation();
    const loosely = (value: unknown) => value as never;
    for (const [options, field] of [
      [{ bufferSize: 0 }, "bufferSize"],
      [{ bufferSize: 1.5 }, "bufferSize"],
      [{ signal: "x" }, "signal"],
    ] as const) {
      expect(() => provider.receiveMessages(conversationSid, loosely(options))).toThrow(
        expect.objectContaining({ field, code: "invalid_input" }),
      );
      expect(() => provider.events(loosely(options))).toThrow(
        expect.objectContaining({ field, code: "invalid_input" }),
      );
    }
  });
});

describe("after stop()", () => {
  it("handleWebhook rejects, so the webhook answers 500 and Twilio retries", async () => {
    const { customer } = await openConversation();
    const event = await parseWebhookEvent(
      signedWebhookRequest({
        url: webhookUrl,
        authToken: emulator.authToken,
        eventType: "onMessageAdded",
      }),
      { authToken: emulator.authToken, url: webhookUrl },
    );
    await provider.stop();
    await expect(provider.handleWebhook(event)).rejects.toBeInstanceOf(ProviderStoppedError);

    await customer.send("while stopped");
    await emulator.idle();
    const delivery = emulator
      .webhookDeliveries()
      .filter((record) => record.event === "onMessageAdded")
      .at(-1);
    expect(delivery?.status).toBe(500);
  });
});

describe("events() and on()", () => {
  it("streams every event and runs typed listeners; a failing listener makes the webhook 500", async () => {
    const events = provider.events();
    const seen: string[] = [];
    const off = provider.on("message.new", (event) => {
      seen.push(event.data.body ?? "");
      if (failListener) throw new Error("listener failed");
    });
    const { customer } = await openConversation();
    expect(seen).toEqual(["first"]);

    const types = (await take(events, 3)).map((event) => event.type);
    expect(types).toContain("conversation.new");
    expect(types).toContain("message.new");

    failListener = true;
    await customer.send("second");
    await emulator.idle();
    const delivery = emulator
      .webhookDeliveries()
      .filter((record) => record.event === "onMessageAdded")
      .at(-1);
    expect(delivery?.status).toBe(500);

    off();
    failListener = false;
    await customer.send("third");
    await emulator.idle();
    expect(seen).toEqual(["first", "second"]);
  });

  it("parseWebhook verifies with the provider's token and public webhookUrl", async () => {
    const publicUrl = "https://bot.example.com/twilio/webhook";
    const configured = new TwilioProvider({
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      conversationsServiceSid: emulator.serviceSid,
      webhookUrl: publicUrl,
      httpClient: emulator.httpClient(),
    });
    // Signed for the public URL, received by a server that sees another one (a proxy).
    const signed = signedWebhookRequest({
      url: publicUrl,
      authToken: emulator.authToken,
      eventType: "onMessageAdded",
    });
    const asSeen = { ...signed, url: "http://10.0.0.5:8080/twilio/webhook" };
    const event = await configured.parseWebhook(new Request(asSeen.url, asSeen));
    expect(event.type).toBe("message.new");

    const forged = signedWebhookRequest({
      url: publicUrl,
      authToken: "another-token",
      eventType: "onMessageAdded",
    });
    await expect(configured.parseWebhook(new Request(forged.url, forged))).rejects.toMatchObject({
      code: "webhook_signature_invalid",
    });
  });

  it("refuses a listener that is not a function, and an event name that is none", () => {
    const loosely = (value: unknown) => value as never;
    expect(() => provider.on("message.new", loosely("handler"))).toThrow(
      expect.objectContaining({ field: "listener", code: "invalid_input" }),
    );
    const typo = (() => {
      try {
        provider.on(loosely("message.nwe"), () => {});
      } catch (error) {
        return error as InvalidInputError;
      }
      return undefined;
    })();
    expect(typo).toBeInstanceOf(InvalidInputError);
    expect(typo?.field).toBe("type");
    expect(typo?.message).toMatch(/did you mean "message\.new"\?/);
    // Twilio's own name maps to switchboard's.
    expect(() => provider.on(loosely("onMessageAdded"), () => {})).toThrow(
      /did you mean "message\.new"/,
    );
    expect(() => provider.on(loosely("nothing-like-it"), () => {})).toThrow(/one of message\.new,/);
  });

  it("keeps webhooks flowing after a refused on()", async () => {
    const seen: string[] = [];
    expect(() => provider.on("message.new", "oops" as never)).toThrow(InvalidInputError);
    provider.on("message.new", (event) => {
      seen.push(event.data.body ?? "");
    });
    await openConversation();
    expect(seen).toEqual(["first"]);
  });

  it("parseWebhook says WebhookParseError (400) for something that is no request", async () => {
    for (const input of [undefined, "str", {}, { url: "/webhook" }])
      await expect(provider.parseWebhook(input as never)).rejects.toBeInstanceOf(WebhookParseError);
  });

  it("handleWebhook refuses a value that is not a parsed event", async () => {
    for (const value of [
      undefined,
      {},
      { type: "message.new" },
      { type: "message.nwe", data: {}, raw: {} },
    ])
      await expect(provider.handleWebhook(value as never)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
  });

  it("a forged webhook reaches nobody", async () => {
    const events = provider.events();
    const forged = signedWebhookRequest({
      url: webhookUrl,
      authToken: "some-other-token",
      eventType: "onMessageAdded",
    });
    const response = await fetch(forged.url, forged);
    expect(response.status).toBe(403);
    await provider.stop();
    expect(await events.next()).toEqual({ value: undefined, done: true });
  });
});
