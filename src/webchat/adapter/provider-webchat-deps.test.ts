import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/start-emulator.js";
import { SwitchboardEvents } from "../../runtime/switchboard-events.js";
import { TwilioProvider } from "../../twilio/provider/twilio-provider.js";
import type { WebchatEvent } from "../webchat-deps.js";
import { createProviderWebchatDeps } from "./provider-webchat-deps.js";

/**
 * `WebchatDeps` over the real provider and the emulator: a visitor's conversation, their
 * messages as webhook-enabled REST creates, history, live events driven by runtime events,
 * and closing.
 */
let emulator: Emulator;
let provider: TwilioProvider;
const events = new SwitchboardEvents();

beforeAll(async () => {
  emulator = await startEmulator();
  provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    webhookEnabled: true,
  });
});
afterAll(async () => {
  await provider?.stop();
  await emulator?.close();
});

const deps = () =>
  createProviderWebchatDeps({ provider, events, botAuthor: "switchboard", humanAuthors: ["sam"] });

describe("createProviderWebchatDeps", () => {
  it("starts a conversation with the visitor as its chat participant and sends as them", async () => {
    const webchat = deps();
    const { conversationSid } = await webchat.startConversation("visitor-1");
    const participants = await provider.listParticipants(conversationSid);
    expect(participants.map((participant) => participant.identity)).toEqual(["visitor-1"]);
    const sent = await webchat.sendVisitorMessage({
      conversationSid,
      identity: "visitor-1",
      text: "Do you rent bikes?",
    });
    expect(sent).toEqual({ messageSid: expect.stringMatching(/^IM/), index: 0 });
    const [message] = await webchat.history(conversationSid, {});
    expect(message).toMatchObject({ index: 0, author: "visitor-1", role: "visitor" });
  });

  it("reports new messages in index order with roles, and typing, from runtime events", async () => {
    const webchat = deps();
    const { conversationSid } = await webchat.startConversation("visitor-2");
    const seen: WebchatEvent[] = [];
    const stop = webchat.subscribe(conversationSid, (event) => seen.push(event));
    await webchat.sendVisitorMessage({ conversationSid, identity: "visitor-2", text: "hi" });
    await provider.sendMessage(conversationSid, { content: "Hello!", from: "switchboard" });
    await provider.sendMessage(conversationSid, { content: "Sam here.", from: "sam" });
    events.emit("typing", { conversationSid, on: true });
    // One trigger reads everything new; a second finds nothing more.
    events.emit("reply.sent", {
      conversationSid,
      replyId: "r",
      messageSid: "IM",
      reconciled: false,
    });
    events.emit("message.ingested", {
      conversationSid,
      messageSid: "IM",
      role: "human",
      via: "webhook",
    });
    events.emit("typing", { conversationSid: `CH${"0".repeat(32)}`, on: true });
    while (seen.filter((event) => event.type === "message").length < 3)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    expect(seen[0]).toEqual({ type: "typing", on: true });
    const messages = seen.flatMap((event) => (event.type === "message" ? [event.message] : []));
    expect(messages.map((message) => [message.index, message.role, message.body])).toEqual([
      [0, "visitor", "hi"],
      [1, "agent", "Hello!"],
      [2, "human", "Sam here."],
    ]);
    events.emit("typing", { conversationSid, on: false });
    expect(seen.filter((event) => event.type === "typing")).toHaveLength(1);
  });

  it("history after an index, and closed conversations", async () => {
    const webchat = deps();
    const { conversationSid } = await webchat.startConversation("visitor-3");
    for (const text of ["one", "two", "three"])
      await webchat.sendVisitorMessage({ conversationSid, identity: "visitor-3", text });
    expect((await webchat.history(conversationSid, { after: 0 })).map((m) => m.body)).toEqual([
      "two",
      "three",
    ]);
    expect(await webchat.isClosed(conversationSid)).toBe(false);
    await provider.closeConversation(conversationSid);
    expect(await webchat.isClosed(conversationSid)).toBe(true);
    await expect(
      webchat.sendVisitorMessage({ conversationSid, identity: "visitor-3", text: "late" }),
    ).rejects.toMatchObject({ code: "conversation_closed" });
  });
});
