import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors.js";
import {
  WebhookParseError,
  WebhookPayloadTooLargeError,
  WebhookSignatureError,
} from "../errors.js";
import { type TwilioEventType, twilioEventTypes, type WebhookEvent } from "./event-types.js";
import { parseWebhookEvent } from "./parse-webhook-event.js";
import { computeBodyHash, computeTwilioSignature } from "./verify-signature.js";
import { encodeWebhookForm, fixtureSids, webhookFixture } from "./webhook-fixtures.js";

const token = "test-auth-token";
const url = "https://example.com/twilio/webhook";
const form = { "content-type": "application/x-www-form-urlencoded" };

function signed(fields: Record<string, string>, options: { url?: string; key?: string } = {}) {
  return {
    url: options.url ?? url,
    headers: {
      ...form,
      "x-twilio-signature": computeTwilioSignature(
        options.key ?? token,
        options.url ?? url,
        fields,
      ),
      "i-twilio-idempotency-token": "idem-123",
    },
    body: encodeWebhookForm(fields),
  };
}

async function parse(fields: Record<string, string>) {
  return parseWebhookEvent(signed(fields), { authToken: token, env: {} });
}

async function parseError(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("parseWebhookEvent: every event type", () => {
  const all = Object.keys(twilioEventTypes) as TwilioEventType[];

  it.each(all)("parses %s from a realistic signed form body", async (twilioEventType) => {
    const fields = webhookFixture(twilioEventType);
    const event = await parse(fields);
    expect(event.type).toBe(twilioEventTypes[twilioEventType]);
    expect(event.twilioEventType).toBe(twilioEventType);
    expect(event.phase).toBe(/(Add|Update|Remove)$/.test(twilioEventType) ? "pre" : "post");
    expect(event.accountSid).toBe(fixtureSids.account);
    expect(event.serviceSid).toBe(fixtureSids.service);
    expect(event.idempotencyToken).toBe("idem-123");
    expect(event.retryCount).toBe(0);
    expect(event.raw).toEqual(fields);
    const expectsConversation =
      !twilioEventType.startsWith("onUser") && twilioEventType !== "onConversationAdd";
    expect(event.conversationId).toBe(expectsConversation ? fixtureSids.conversation : undefined);
  });

  it("gives message.new typed data", async () => {
    const event = await parse(
      webhookFixture("onMessageAdded", {
        Attributes: '{"replyTo":"IM00000000000000000000000000000009"}',
        Media: JSON.stringify([
          { Sid: fixtureSids.media, ContentType: "image/jpeg", Filename: "a.jpg", Size: 1234 },
        ]),
        RetryCount: "2",
      }),
    );
    if (event.type !== "message.new") throw new Error(`unexpected ${event.type}`);
    expect(event.channel).toBe("sms");
    expect(event.retryCount).toBe(2);
    expect(event.data).toEqual({
      messageSid: fixtureSids.message,
      index: 4,
      author: "+15551230001",
      body: "Hi, what are your opening hours?",
      attributes: { replyTo: "IM00000000000000000000000000000009" },
      media: [{ sid: fixtureSids.media, contentType: "image/jpeg", filename: "a.jpg", size: 1234 }],
      participantSid: fixtureSids.participant,
      dateCreated: new Date("2026-05-18T13:42:17.312Z"),
      dateUpdated: undefined,
      channel: "sms",
    });
  });

  it("keeps a media-only message's body as null and reads Event Streams media keys", async () => {
    const event = await parse(
      webhookFixture("onMessageAdded", {
        Body: undefined,
        Source: "WHATSAPP",
        Author: "whatsapp:+15551230001",
        Media: JSON.stringify([
          { MediaSid: fixtureSids.media, ContentType: "image/png", Filename: "b.png", Size: "99" },
        ]),
      }),
    );
    if (event.type !== "message.new") throw new Error(`unexpected ${event.type}`);
    expect(event.data.body).toBeNull();
    expect(event.channel).toBe("whatsapp");
    expect(event.data.media).toEqual([
      { sid: fixtureSids.media, contentType: "image/png", filename: "b.png", size: 99 },
    ]);
  });

  it("derives chat from an SDK message and nothing from an API message by a bot", async () => {
    const sdk = await parse(
      webhookFixture("onMessageAdded", { Source: "SDK", Author: "alice", ClientIdentity: "alice" }),
    );
    expect(sdk.channel).toBe("chat");
    expect(sdk.clientIdentity).toBe("alice");
    const api = await parse(
      webhookFixture("onMessageAdded", { Source: "API", Author: "switchboard-agent" }),
    );
    expect(api.channel).toBeUndefined();
  });

  it("reads conversation, state, participant, delivery and user data", async () => {
    const conversation = await parse(webhookFixture("onConversationAdded"));
    if (conversation.type !== "conversation.new") throw new Error("type");
    expect(conversation.channel).toBe("sms");
    expect(conversation.data.messagingBinding).toMatchObject({
      address: "+15551230001",
      proxyAddress: "+15017122661",
    });
    expect(conversation.data.state).toBe("active");

    const state = await parse(webhookFixture("onConversationStateUpdated"));
    if (state.type !== "conversation.state_updated") throw new Error("type");
    expect(state.data).toMatchObject({ stateFrom: "active", stateTo: "inactive", reason: "TIMER" });
    expect(state.data.stateUpdated).toEqual(new Date("2026-05-18T14:42:17.000Z"));

    const whatsapp = await parse(
      webhookFixture("onParticipantAdded", {
        "MessagingBinding.Address": "whatsapp:+15551230001",
        "MessagingBinding.ProxyAddress": "whatsapp:+15017122661",
      }),
    );
    if (whatsapp.type !== "participant.new") throw new Error("type");
    expect(whatsapp.channel).toBe("whatsapp");
    expect(whatsapp.data.participantSid).toBe(fixtureSids.participant);

    const chat = await parse(
      webhookFixture("onParticipantAdd", {
        Identity: "alice",
        "MessagingBinding.Address": undefined,
        "MessagingBinding.ProxyAddress": undefined,
      }),
    );
    if (chat.type !== "participant.adding") throw new Error("type");
    expect(chat.channel).toBe("chat");
    expect(chat.data.messagingBinding).toBeUndefined();

    const delivery = await parse(
      webhookFixture("onDeliveryUpdated", { Status: "failed", ErrorCode: "63016" }),
    );
    if (delivery.type !== "delivery.updated") throw new Error("type");
    expect(delivery.data).toMatchObject({
      status: "failed",
      errorCode: 63016,
      deliveryReceiptSid: fixtureSids.receipt,
    });

    const user = await parse(webhookFixture("onUserUpdated"));
    if (user.type !== "user.updated") throw new Error("type");
    expect(user.data).toMatchObject({
      identity: "agent@example.com",
      isOnline: true,
      isNotifiable: false,
    });
    expect(user.conversationId).toBeUndefined();
  });

  it("narrows data by type at compile time", async () => {
    const event: WebhookEvent = await parse(webhookFixture("onMessageAdded"));
    if (event.type === "message.new") {
      const index: number = event.data.index;
      const phase: "post" = event.phase;
      expect([index, phase]).toEqual([4, "post"]);
    }
  });
});

describe("parseWebhookEvent: malformed input", () => {
  it("keeps malformed Attributes as the raw string without throwing", async () => {
    const event = await parse(webhookFixture("onMessageAdded", { Attributes: "{not json" }));
    if (event.type !== "message.new") throw new Error("type");
    expect(event.data.attributes).toBe("{not json");
  });

  it.each([
    ["missing EventType", { EventType: undefined }, "EventType"],
    ["unknown EventType", { EventType: "onSomethingNew" }, "EventType"],
    ["bad Index", { Index: "four" }, "Index"],
    ["negative Index", { Index: "-1" }, "Index"],
    ["missing MessageSid", { MessageSid: undefined }, "MessageSid"],
    ["MessageSid with the wrong prefix", { MessageSid: fixtureSids.participant }, "MessageSid"],
    ["bad DateCreated", { DateCreated: "yesterday" }, "DateCreated"],
    ["bad RetryCount", { RetryCount: "x" }, "RetryCount"],
    ["Media that is not JSON", { Media: "[{" }, "Media"],
    ["Media that is not an array", { Media: "{}" }, "Media"],
    ["Media items without a Sid", { Media: '[{"Size":1}]' }, "Media"],
    ["missing AccountSid", { AccountSid: undefined }, "AccountSid"],
    ["missing ConversationSid", { ConversationSid: undefined }, "ConversationSid"],
    ["missing Index", { Index: undefined }, "Index"],
    ["missing Author", { Author: undefined }, "Author"],
    ["empty Author", { Author: "" }, "Author"],
  ] as const)("rejects %s with WebhookParseError", async (_name, overrides, field) => {
    const error = await parseError(parse(webhookFixture("onMessageAdded", overrides)));
    expect(error).toBeInstanceOf(WebhookParseError);
    expect((error as WebhookParseError).field).toBe(field);
    expect((error as WebhookParseError).status).toBe(400);
  });

  it("stamps a message without DateCreated with the receive time and logs it at debug", async () => {
    const lines: { level: string; fields: Record<string, unknown>; message?: string }[] = [];
    const record = (level: string) => (fields: Record<string, unknown>, message?: string) =>
      lines.push({ level, fields, ...(message === undefined ? {} : { message }) });
    const logger = {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    };
    const receivedAt = Date.parse("2026-05-18T13:42:19.000Z");
    const fields = webhookFixture("onMessageAdded", { DateCreated: undefined });
    const event = await parseWebhookEvent(signed(fields), {
      authToken: token,
      env: {},
      logger,
      now: () => receivedAt,
    });
    if (event.type !== "message.new") throw new Error(`unexpected ${event.type}`);
    expect(event.data.dateCreated).toEqual(new Date(receivedAt));
    expect(event.data.messageSid).toBe(fixtureSids.message);
    expect(event.raw).toEqual(fields);
    expect(lines).toEqual([
      {
        level: "debug",
        fields: {
          eventType: "onMessageAdded",
          conversationId: fixtureSids.conversation,
          messageSid: fixtureSids.message,
          defaulted: ["DateCreated"],
        },
        message: "webhook field missing; defaulted to the receive time",
      },
    ]);
  });

  it("logs nothing when every field is present", async () => {
    const lines: unknown[] = [];
    const push = (fields: Record<string, unknown>) => lines.push(fields);
    await parseWebhookEvent(signed(webhookFixture("onMessageAdded")), {
      authToken: token,
      env: {},
      logger: { debug: push, info: push, warn: push, error: push },
    });
    expect(lines).toEqual([]);
  });

  it("rejects a JSON body as not form-encoded once its signature checks out", async () => {
    const body = JSON.stringify(webhookFixture("onMessageAdded"));
    const jsonUrl = `${url}?bodySHA256=${computeBodyHash(body)}`;
    const error = await parseError(
      parseWebhookEvent(
        {
          url: jsonUrl,
          headers: {
            "content-type": "application/json",
            "x-twilio-signature": computeTwilioSignature(token, jsonUrl),
          },
          body,
        },
        { authToken: token, env: {} },
      ),
    );
    expect(error).toBeInstanceOf(WebhookParseError);
    expect((error as Error).message).toMatch(/not application\/x-www-form-urlencoded/);
  });

  it("refuses a value that is no request with WebhookParseError, not a TypeError", async () => {
    for (const input of [undefined, null, "POST /twilio/webhook", 42, { url, body: "a=b" }]) {
      const error = await parseError(
        parseWebhookEvent(input as never, { authToken: token, env: {} }),
      );
      expect(error, String(input)).toBeInstanceOf(WebhookParseError);
    }
  });

  it("names the content type when a form body signed as a form arrives as another type", async () => {
    const fields = webhookFixture("onMessageAdded");
    const request = signed(fields);
    const error = await parseError(
      parseWebhookEvent(
        { ...request, headers: { ...request.headers, "content-type": "application/json" } },
        { authToken: token, env: {} },
      ),
    );
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect((error as Error).message).toMatch(
      /not form-encoded \(Content-Type: application\/json\)/,
    );
  });

  it("rejects a body over the cap with WebhookPayloadTooLargeError", async () => {
    const fields = webhookFixture("onMessageAdded", { Body: "x".repeat(2000) });
    const error = await parseError(
      parseWebhookEvent(signed(fields), { authToken: token, env: {}, maxBodyBytes: 1000 }),
    );
    expect(error).toBeInstanceOf(WebhookPayloadTooLargeError);
    expect((error as WebhookPayloadTooLargeError).status).toBe(413);
  });

  it("rejects an oversized Fetch Request body without a Content-Length", async () => {
    const big = "x".repeat(3 * 1024 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`EventType=onMessageAdded&Body=${big}`));
        controller.close();
      },
    });
    const request = new Request(url, {
      method: "POST",
      // A digest-shaped signature passes the header checks, so the body is read to the cap.
      headers: { ...form, "x-twilio-signature": `${"A".repeat(27)}=` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const error = await parseError(parseWebhookEvent(request, { authToken: token, env: {} }));
    expect(error).toBeInstanceOf(WebhookPayloadTooLargeError);
  });
});

describe("parseWebhookEvent: signatures", () => {
  const fields = webhookFixture("onMessageAdded");

  it("rejects a missing signature header", async () => {
    const { headers, ...rest } = signed(fields);
    const error = await parseError(
      parseWebhookEvent({ ...rest, headers: { ...form } }, { authToken: token, env: {} }),
    );
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect((error as Error).message).toMatch(/X-Twilio-Signature header is missing/);
    expect(headers["x-twilio-signature"]).toBeTruthy();
  });

  it("rejects a forged signature and a tampered body, listing URLs tried and usual causes", async () => {
    const forged = signed(fields, { key: "attacker-token" });
    const error = await parseError(parseWebhookEvent(forged, { authToken: token, env: {} }));
    expect(error).toBeInstanceOf(WebhookSignatureError);
    const signatureError = error as WebhookSignatureError;
    expect(signatureError.status).toBe(403);
    expect(signatureError.urlsTried).toContain(url);
    expect(signatureError.message).toMatch(/proxy/);
    expect(signatureError.message).toMatch(/trailing slash/);
    expect(signatureError.message).not.toContain(token);

    const request = signed(fields);
    const tampered = { ...request, body: request.body.replace("opening", "closing") };
    expect(
      await parseError(parseWebhookEvent(tampered, { authToken: token, env: {} })),
    ).toBeInstanceOf(WebhookSignatureError);
  });

  it("rejects the wrong token", async () => {
    const error = await parseError(
      parseWebhookEvent(signed(fields), { authToken: "other-token", env: {} }),
    );
    expect(error).toBeInstanceOf(WebhookSignatureError);
  });

  it("reads the token and public URL from the environment", async () => {
    const publicUrl = "https://public.example.com/hook";
    const request = { ...signed(fields, { url: publicUrl }), url: "http://10.0.0.5:3000/hook" };
    const event = await parseWebhookEvent(request, {
      env: { TWILIO_AUTH_TOKEN: token, TWILIO_WEBHOOK_URL: publicUrl },
    });
    expect(event.type).toBe("message.new");
  });

  it("applies TWILIO_WEBHOOK_URL's origin to other routes (pre- and post-event paths)", async () => {
    const preUrl = "https://public.example.com/twilio/pre";
    const request = { ...signed(fields, { url: preUrl }), url: "http://10.0.0.5:3000/twilio/pre" };
    const event = await parseWebhookEvent(request, {
      env: {
        TWILIO_AUTH_TOKEN: token,
        TWILIO_WEBHOOK_URL: "https://public.example.com/twilio/post",
      },
    });
    expect(event.type).toBe("message.new");

    const forged = {
      ...signed(fields, { url: preUrl, key: "attacker" }),
      url: "http://10.0.0.5:3000/twilio/pre",
    };
    const error = await parseError(
      parseWebhookEvent(forged, {
        env: {
          TWILIO_AUTH_TOKEN: token,
          TWILIO_WEBHOOK_URL: "https://public.example.com/twilio/post",
        },
      }),
    );
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect((error as WebhookSignatureError).urlsTried).toEqual(
      expect.arrayContaining([
        "https://public.example.com/twilio/post",
        preUrl,
        "http://10.0.0.5:3000/twilio/pre",
      ]),
    );
  });

  it("uses an explicit url option only", async () => {
    const request = signed(fields);
    const error = await parseError(
      parseWebhookEvent(request, {
        authToken: token,
        env: {},
        url: "https://elsewhere.example.com/hook",
      }),
    );
    expect((error as WebhookSignatureError).urlsTried).not.toContain(url);
  });

  it("throws ConfigError when there is no token to verify with", async () => {
    const error = await parseError(parseWebhookEvent(signed(fields), { env: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/TWILIO_AUTH_TOKEN/);
  });

  it.each([
    ["maxBodyBytes", -1],
    ["maxBodyBytes", 0],
    ["maxParams", 0],
    ["maxParams", 1.5],
    ["maxBodyBytes", "64kb"],
  ])(
    "throws ConfigError naming %s for a limit no request could pass (%s)",
    async (option, value) => {
      const error = await parseError(
        parseWebhookEvent(signed(fields), { authToken: token, env: {}, [option]: value }),
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ option });
      expect((error as Error).message).toMatch(/^parseWebhookEvent: /);
    },
  );

  it("skips verification only when told to", async () => {
    const { url: requestUrl, body } = signed(fields);
    const event = await parseWebhookEvent(
      { url: requestUrl, headers: form, body },
      { verify: false, env: {} },
    );
    expect(event.type).toBe("message.new");
  });

  it("honours X-Forwarded-Proto and -Host only with trustProxy", async () => {
    const publicUrl = "https://public.example.com/twilio/webhook?tenant=a";
    const request = new Request("http://127.0.0.1:3000/twilio/webhook?tenant=a", {
      method: "POST",
      headers: {
        ...form,
        "x-forwarded-proto": "https",
        "x-forwarded-host": "public.example.com",
        "x-twilio-signature": computeTwilioSignature(token, publicUrl, fields),
      },
      body: encodeWebhookForm(fields),
    });
    const event = await parseWebhookEvent(request.clone(), {
      authToken: token,
      env: {},
      trustProxy: true,
    });
    expect(event.type).toBe("message.new");
    expect(
      await parseError(parseWebhookEvent(request, { authToken: token, env: {} })),
    ).toBeInstanceOf(WebhookSignatureError);
  });

  it("accepts a Node IncomingMessage and reads its body", async () => {
    const message = new IncomingMessage(new Socket());
    message.method = "POST";
    message.url = "/twilio/webhook";
    const { headers, body } = signed(fields, { url: "http://example.com/twilio/webhook" });
    message.headers = { ...headers, host: "example.com" };
    message.push(Buffer.from(body));
    message.push(null);
    const event = await parseWebhookEvent(message, { authToken: token, env: {} });
    expect(event.type).toBe("message.new");
    message.socket?.destroy();
  });

  it("accepts fields already parsed by a body parser", async () => {
    const { url: requestUrl, headers } = signed(fields);
    const event = await parseWebhookEvent(
      { url: requestUrl, headers, body: fields },
      { authToken: token, env: {} },
    );
    expect(event.type).toBe("message.new");
    const error = await parseError(
      parseWebhookEvent(
        { url: requestUrl, headers, body: { ...fields, Index: { nested: true } } },
        { authToken: token, env: {} },
      ),
    );
    expect(error).toBeInstanceOf(WebhookParseError);
  });

  it("verifies GET webhooks over the query string", async () => {
    const query = `${url}?${encodeWebhookForm(fields)}`;
    const event = await parseWebhookEvent(
      {
        url: query,
        method: "GET",
        headers: { "x-twilio-signature": computeTwilioSignature(token, query) },
      },
      { authToken: token, env: {} },
    );
    expect(event.type).toBe("message.new");
  });
});
