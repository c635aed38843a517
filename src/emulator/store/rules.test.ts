import type twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { type EmulatorEvent, noEmulatorEvents } from "./emulator-events.js";
import { receiveInboundMessage } from "./inbound-actions.js";

/** Twilio's business rules, each checked through the official SDK's RestException. */
describe("Twilio Conversations rules", () => {
  let emulator: Emulator;
  let client: twilio.Twilio;
  const conversations = () => client.conversations.v1.conversations;
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      const { status, code } = error as { status: number; code: number };
      return { status, code };
    }
    throw new Error("expected the call to fail");
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    client = emulator.twilioClient();
  });
  beforeEach(() => {
    // reset() restores state, not wiring: tests that install a sink or lookups undo them here.
    emulator.reset();
    emulator.setEvents(noEmulatorEvents);
    emulator.store.lookups = { lookupMedia: () => undefined, lookupContent: () => undefined };
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("closed is final (50377) and cannot be created (50384)", async () => {
    expect(await failure(conversations().create({ state: "closed" }))).toEqual({
      status: 400,
      code: 50384,
    });
    const conversation = await conversations().create({});
    await conversations()(conversation.sid).update({ state: "closed" });
    expect(await failure(conversations()(conversation.sid).update({ friendlyName: "x" }))).toEqual({
      status: 400,
      code: 50377,
    });
    expect(
      await failure(conversations()(conversation.sid).messages.create({ body: "hi" })),
    ).toEqual({ status: 400, code: 50377 });
    expect(
      await failure(conversations()(conversation.sid).participants.create({ identity: "a" })),
    ).toEqual({ status: 400, code: 50377 });
  });

  it("unique names are unique (50353)", async () => {
    await conversations().create({ uniqueName: "order-1" });
    expect(await failure(conversations().create({ uniqueName: "order-1" }))).toEqual({
      status: 409,
      code: 50353,
    });
  });

  it("one identity per conversation (50433)", async () => {
    const conversation = await conversations().create({});
    await conversations()(conversation.sid).participants.create({ identity: "alice" });
    expect(
      await failure(conversations()(conversation.sid).participants.create({ identity: "alice" })),
    ).toEqual({
      status: 409,
      code: 50433,
    });
  });

  it("an Address+ProxyAddress pair lives in one non-closed conversation (50416), freed by closing", async () => {
    const pair = {
      "messagingBinding.address": "+15551230001",
      "messagingBinding.proxyAddress": "+15017122661",
    };
    const first = await conversations().create({});
    await conversations()(first.sid).participants.create(pair);
    const second = await conversations().create({});
    expect(await failure(conversations()(second.sid).participants.create(pair))).toEqual({
      status: 409,
      code: 50416,
    });
    await conversations()(first.sid).update({ state: "closed" });
    const participant = await conversations()(second.sid).participants.create(pair);
    expect(participant.messagingBinding).toEqual({
      type: "sms",
      address: "+15551230001",
      proxy_address: "+15017122661",
    });
  });

  it("caps non-chat participants at 50", async () => {
    const conversation = await conversations().create({});
    for (let index = 0; index < 50; index++)
      await conversations()(conversation.sid).participants.create({
        "messagingBinding.address": `+1555000${String(index).padStart(4, "0")}`,
        "messagingBinding.proxyAddress": "+15017122661",
      });
    expect(
      await failure(
        conversations()(conversation.sid).participants.create({
          "messagingBinding.address": "+15559999999",
          "messagingBinding.proxyAddress": "+15017122661",
        }),
      ),
    ).toEqual({ status: 400, code: 50418 });
    await conversations()(conversation.sid).participants.create({ identity: "chat-is-not-capped" });
  });

  it("limits SMS/WhatsApp bodies to 1600 characters (21617) but not chat-only ones", async () => {
    const chatOnly = await conversations().create({});
    await conversations()(chatOnly.sid).messages.create({ body: "x".repeat(1601) });
    const sms = await conversations().create({});
    await conversations()(sms.sid).participants.create({
      "messagingBinding.address": "whatsapp:+15551230001",
      "messagingBinding.proxyAddress": "whatsapp:+15017122661",
    });
    await conversations()(sms.sid).messages.create({ body: "x".repeat(1600) });
    expect(
      await failure(conversations()(sms.sid).messages.create({ body: "x".repeat(1601) })),
    ).toEqual({
      status: 400,
      code: 21617,
    });
  });

  it("validates attributes as JSON within size limits", async () => {
    expect(await failure(conversations().create({ attributes: "{not json" }))).toEqual({
      status: 400,
      code: 50304,
    });
    const big = JSON.stringify({ text: "x".repeat(16 * 1024) });
    expect(await failure(conversations().create({ attributes: big }))).toEqual({
      status: 400,
      code: 50305,
    });
    const conversation = await conversations().create({
      attributes: JSON.stringify({ text: "x".repeat(8000) }),
    });
    const messageAttributes = JSON.stringify({ text: "x".repeat(4 * 1024) });
    expect(
      await failure(
        conversations()(conversation.sid).messages.create({
          body: "a",
          attributes: messageAttributes,
        }),
      ),
    ).toEqual({
      status: 400,
      code: 50305,
    });
  });

  it("rejects missing parameters, unknown media and unknown content", async () => {
    expect(await failure(client.conversations.v1.users.create({ identity: "" }))).toEqual({
      status: 400,
      code: 20001,
    });
    const conversation = await conversations().create({});
    expect(await failure(conversations()(conversation.sid).participants.create({}))).toEqual({
      status: 400,
      code: 20001,
    });
    expect(
      await failure(
        conversations()(conversation.sid).messages.create({ mediaSid: `ME${"a".repeat(32)}` }),
      ),
    ).toMatchObject({
      status: 400,
    });
    expect(
      await failure(
        conversations()(conversation.sid).messages.create({ contentSid: `HX${"a".repeat(32)}` }),
      ),
    ).toMatchObject({
      status: 400,
    });
    const attached: string[] = [];
    emulator.store.lookups = {
      lookupMedia: (sid) => ({ sid, size: 3, content_type: "image/png", filename: "a.png" }),
      lookupContent: (sid) => ({ sid }),
      attachMedia: (sid, message) => attached.push(`${sid}>${message.messageSid}`),
    };
    const media = await conversations()(conversation.sid).messages.create({
      mediaSid: `ME${"a".repeat(32)}`,
    });
    expect(media.body).toBeNull();
    expect(media.media).toEqual([
      { sid: `ME${"a".repeat(32)}`, size: 3, content_type: "image/png", filename: "a.png" },
    ]);
    const template = await conversations()(conversation.sid).messages.create({
      contentSid: `HX${"b".repeat(32)}`,
      contentVariables: JSON.stringify({ 1: "Ada" }),
      body: "ignored",
    });
    expect(template.contentSid).toBe(`HX${"b".repeat(32)}`);
    expect(template.body).toBeNull();
  });

  it("answers unknown SIDs with 404 / 20404 through the SDK", async () => {
    expect(await failure(conversations()(`CH${"0".repeat(32)}`).fetch())).toEqual({
      status: 404,
      code: 20404,
    });
    expect(await failure(conversations()("no-such-unique-name").fetch())).toEqual({
      status: 404,
      code: 20404,
    });
    const conversation = await conversations().create({});
    expect(
      await failure(
        conversations()(conversation.sid)
          .messages(`IM${"0".repeat(32)}`)
          .fetch(),
      ),
    ).toEqual({
      status: 404,
      code: 20404,
    });
    expect(await failure(conversations()(conversation.sid).participants("nobody").fetch())).toEqual(
      {
        status: 404,
        code: 20404,
      },
    );
    expect(await failure(client.conversations.v1.users(`US${"0".repeat(32)}`).fetch())).toEqual({
      status: 404,
      code: 20404,
    });
  });

  it("rejects a wrong token through the SDK with 401 / 20003", async () => {
    const wrong = (await import("twilio")).default(emulator.accountSid, "not-the-token", {
      httpClient: emulator.httpClient(),
    });
    expect(await failure(wrong.conversations.v1.conversations.list())).toEqual({
      status: 401,
      code: 20003,
    });
  });

  it("rejects malformed participant and conversation input", async () => {
    const conversation = await conversations().create({});
    const participants = conversations()(conversation.sid).participants;
    expect(
      await failure(
        participants.create({
          "messagingBinding.address": "+15551230001",
          "messagingBinding.proxyAddress": "whatsapp:+15017122661",
        }),
      ),
    ).toEqual({ status: 400, code: 50414 });
    expect(
      await failure(
        participants.create({
          "messagingBinding.address": "+15017122661",
          "messagingBinding.proxyAddress": "+15017122661",
        }),
      ),
    ).toEqual({ status: 400, code: 50409 });
    expect(
      await failure(participants.create({ "messagingBinding.address": "+15551230001" })),
    ).toEqual({
      status: 400,
      code: 50408,
    });
    const agent = await participants.create({ identity: "agent" });
    const raw = await fetch(
      `${emulator.url}/v1/Conversations/${conversation.sid}/Participants/${agent.sid}`,
      {
        method: "POST",
        headers: {
          Authorization: `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: "LastReadMessageIndex=three",
      },
    );
    expect(raw.status).toBe(400);
    expect((await raw.json()).code).toBe(20001);
    expect((await failure(conversations().create({ state: "paused" as never }))).status).toBe(400);
    expect(await failure(conversations().create({ uniqueName: `CH${"a".repeat(32)}` }))).toEqual({
      status: 400,
      code: 50390,
    });
  });

  it("gives messages strictly increasing indexes, never reused after a delete", async () => {
    const conversation = await conversations().create({});
    const first = await conversations()(conversation.sid).messages.create({ body: "1" });
    const second = await conversations()(conversation.sid).messages.create({ body: "2" });
    await conversations()(conversation.sid).messages(second.sid).remove();
    const third = await conversations()(conversation.sid).messages.create({ body: "3" });
    expect([first.index, second.index, third.index]).toEqual([0, 1, 2]);
  });

  it("moves state on the emulator clock: inactive, reactivated by a message, then closed", async () => {
    const conversation = await conversations().create({
      "timers.inactive": "PT1M",
      "timers.closed": "PT10M",
    });
    expect(await failure(conversations().create({ "timers.inactive": "PT30S" }))).toEqual({
      status: 400,
      code: 50398,
    });
    emulator.clock.advance(59_000);
    expect((await conversations()(conversation.sid).fetch()).state).toBe("active");
    emulator.clock.advance(2_000);
    expect((await conversations()(conversation.sid).fetch()).state).toBe("inactive");
    await conversations()(conversation.sid).messages.create({ body: "wake up" });
    expect((await conversations()(conversation.sid).fetch()).state).toBe("active");
    emulator.clock.advance(9 * 60_000);
    expect((await conversations()(conversation.sid).fetch()).state).toBe("inactive");
    emulator.clock.advance(61_000);
    expect((await conversations()(conversation.sid).fetch()).state).toBe("closed");
  });

  it("refuses a timer or date too far out for a valid date (50398, 20001) and stores nothing", async () => {
    const v1 = client.conversations.v1;
    const tooLong = "PT99999999999H";
    const refusals = [
      conversations().create({ "timers.inactive": tooLong }),
      conversations().create({ "timers.closed": tooLong }),
      conversations().create({ "timers.closed": "P36501D" }),
      v1.conversationWithParticipants.create({ "timers.inactive": tooLong }),
      v1.services(emulator.serviceSid).conversations.create({ "timers.closed": tooLong }),
      v1.configuration().update({ defaultInactiveTimer: tooLong }),
      v1.configuration().update({ defaultClosedTimer: tooLong }),
    ];
    for (const refusal of refusals)
      expect(await failure(refusal)).toEqual({ status: 400, code: 50398 });
    const kept = await conversations().create({ "timers.closed": "P36500D" });
    expect(await failure(conversations()(kept.sid).update({ "timers.inactive": tooLong }))).toEqual(
      { status: 400, code: 50398 },
    );
    expect(
      await failure(conversations().create({ dateCreated: new Date("+010000-01-01T00:00:00Z") })),
    ).toEqual({ status: 400, code: 20001 });
    expect((await conversations().list()).map((conversation) => conversation.sid)).toEqual([
      kept.sid,
    ]);
    expect((await conversations()(kept.sid).fetch()).timers).toEqual({
      date_closed: expect.stringMatching(/^\d{4}-/),
    });
    expect(await v1.configuration().fetch()).toMatchObject({
      defaultInactiveTimer: null,
      defaultClosedTimer: null,
    });
    const state = await fetch(`${emulator.url}/_emulator/state`);
    expect(state.status).toBe(200);
  });

  it("routes every change through the events sink; a pre-event can reject or modify", async () => {
    const seen: EmulatorEvent[] = [];
    emulator.setEvents({
      pre: async (event) => {
        seen.push(event);
        if (event.type === "onMessageAdd" && event.changes?.body === "blocked")
          return { reject: { status: 403, body: { code: 1 } } };
        if (event.type === "onMessageAdd") return { modify: { body: "rewritten" } };
        return undefined;
      },
      post: (event) => {
        seen.push(event);
      },
    });
    const conversation = await conversations().create({ xTwilioWebhookEnabled: "true" });
    const message = await conversations()(conversation.sid).messages.create({ body: "hello" });
    expect(message.body).toBe("rewritten");
    expect(
      (await failure(conversations()(conversation.sid).messages.create({ body: "blocked" })))
        .status,
    ).toBe(403);
    expect(seen.map((event) => event.type)).toEqual([
      "onConversationAdd",
      "onConversationAdded",
      "onMessageAdd",
      "onMessageAdded",
      "onMessageAdd",
    ]);
    expect(seen[0]).toMatchObject({
      source: "API",
      webhookEnabled: true,
      serviceSid: emulator.serviceSid,
    });
    expect(seen[2]).toMatchObject({ webhookEnabled: false, conversationSid: conversation.sid });
  });

  it("delivers inbound messages into the pair's conversation or auto-creates one", async () => {
    await client.conversations.v1.addressConfigurations.create({
      type: "sms",
      address: "+15017122661",
      "autoCreation.enabled": true,
    });
    const first = await receiveInboundMessage(emulator.store, {
      from: "+15551230001",
      to: "+15017122661",
      body: "hi",
    });
    expect(first?.created).toBe(true);
    const again = await receiveInboundMessage(emulator.store, {
      from: "+15551230001",
      to: "+15017122661",
      body: "again",
    });
    expect(again?.created).toBe(false);
    expect(again?.conversation.sid).toBe(first?.conversation.sid);
    expect(again?.message.index).toBe(1);
    expect(again?.message.participantSid).toBe(first?.participant.sid);
    await conversations()(first!.conversation.sid).update({ state: "closed" });
    const fresh = await receiveInboundMessage(emulator.store, {
      from: "+15551230001",
      to: "+15017122661",
      body: "new",
    });
    expect(fresh?.conversation.sid).not.toBe(first?.conversation.sid);
    expect(
      await receiveInboundMessage(emulator.store, {
        from: "+15551230001",
        to: "+19999999999",
        body: "x",
      }),
    ).toBeUndefined();
    const long = await receiveInboundMessage(emulator.store, {
      from: "+15551230001",
      to: "+15017122661",
      body: "y".repeat(2000),
    });
    expect(long?.message.body).toHaveLength(2000);
  });
});
