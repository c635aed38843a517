import { afterEach, describe, expect, it } from "vitest";
import { ProxyAddresses } from "../../src/runtime/proxy-addresses.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { silentLogger } from "../../src/twilio/logger.js";
import { signedWebhookRequest } from "../../src/twilio/webhook/webhook-fixtures.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import {
  botMessages,
  deliverWebhook,
  type SeededMessage,
  seedSmsConversation,
} from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A message authored by `author` over REST (no webhook fires), to deliver by hand. */
async function seedMessage(
  h: Harness,
  conversationSid: string,
  author: string,
  body: string,
): Promise<SeededMessage> {
  const created = await h.emulator
    .twilioClient()
    .conversations.v1.services(h.emulator.serviceSid)
    .conversations(conversationSid)
    .messages.create({ author, body });
  return {
    conversationSid,
    messageSid: created.sid,
    index: created.index,
    author,
    body,
    dateCreated: created.dateCreated,
  };
}

describe("echo detection by proxy address", () => {
  it("never answers a message authored by the conversation's own Twilio number", async () => {
    const agent = recordingAgent({ respond: (turn) => `re: ${turn.text}` });
    harness = await startHarness({ agent });
    const h = harness;
    const customer = "+15552600001";
    const proxy = h.emulator.numbers.sms;
    const [hello] = await seedSmsConversation(h.emulator, customer, ["hello"]);
    const sid = hello!.conversationSid;
    const fromUs = await seedMessage(h, sid, proxy, "sent from our number elsewhere");
    const again = await seedMessage(h, sid, customer, "again");

    // Twilio tells us the binding when the participant joins (onParticipantAdded).
    const participantAdded = signedWebhookRequest({
      url: h.webhookUrl,
      authToken: h.emulator.authToken,
      eventType: "onParticipantAdded",
      fields: {
        AccountSid: h.emulator.accountSid,
        ChatServiceSid: h.emulator.serviceSid,
        ConversationSid: sid,
        "MessagingBinding.Address": customer,
        "MessagingBinding.ProxyAddress": proxy,
      },
      idempotencyToken: "participant-added-1",
    });
    const response = await fetch(participantAdded.url, participantAdded);
    expect(response.status).toBe(200);
    for (const message of [hello!, fromUs, again])
      expect(await deliverWebhook(h.emulator, h.webhookUrl, message)).toBe(200);

    await eventually(
      async () => ((await botMessages(h.emulator, sid)).length >= 2 ? true : undefined),
      "the replies",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await botMessages(h.emulator, sid)).map((reply) => reply.body)).toEqual([
      "re: hello",
      "re: again",
    ]);
    const history = await h.mailbox.history(sid);
    const echo = history.find(
      (entry) => entry.direction === "inbound" && entry.messageSid === fromUs.messageSid,
    );
    expect(echo).toMatchObject({ role: "bot", status: "history" });
    // The address is kept with the conversation, and replies still go to the customer.
    expect(await h.mailbox.conversation(sid)).toMatchObject({
      proxyAddress: proxy,
      customerAddress: customer,
    });
  });

  it("learns a conversation's proxy address from the provider, off the webhook's path", async () => {
    harness = await startHarness({ agent: recordingAgent() });
    const h = harness;
    const [message] = await seedSmsConversation(h.emulator, "+15552600002", ["hi"]);
    const sid = message!.conversationSid;
    const proxies = new ProxyAddresses({ provider: h.provider, logger: silentLogger });
    // Not in the mailbox yet: unknown now, asked for in the background.
    expect(await proxies.of(sid, h.mailbox)).toBeUndefined();
    expect(
      await eventually(() => proxies.of(sid, h.mailbox), "the proxy address from Twilio"),
    ).toBe(h.emulator.numbers.sms);
    // A web chat conversation has none; asking again is not repeated.
    const chat = await h.emulator
      .twilioClient()
      .conversations.v1.services(h.emulator.serviceSid)
      .conversations.create({});
    expect(await proxies.fetch(chat.sid)).toBeUndefined();
  });

  it("never lists the participants of a conversation the mailbox knows is web chat", async () => {
    harness = await startHarness({ agent: recordingAgent() });
    const h = harness;
    const participantLists: string[] = [];
    const remove = h.emulator.addPreHook((request) => {
      if (request.method === "GET" && request.path.endsWith("/Participants"))
        participantLists.push(request.path);
      return undefined;
    });
    try {
      const service = h.emulator.twilioClient().conversations.v1.services(h.emulator.serviceSid);
      const chat = await service.conversations.create({});
      await h.mailbox.ingest({
        conversationSid: chat.sid,
        messageSid: `IM${"c".repeat(32)}`,
        index: 0,
        author: "visitor-1",
        body: "hello",
        media: [],
        attributes: {},
        channel: "chat",
        source: "SDK",
        dateCreated: Date.now(),
        receivedAt: Date.now(),
        role: "bot",
      });
      const [sms] = await seedSmsConversation(h.emulator, "+15552600003", ["hi"]);
      const proxies = new ProxyAddresses({ provider: h.provider, logger: silentLogger });
      expect(await proxies.of(chat.sid, h.mailbox)).toBeUndefined();
      // The SMS conversation, asked after it, is listed: by then a chat listing would show.
      await proxies.of(sms!.conversationSid, h.mailbox);
      await eventually(() => proxies.of(sms!.conversationSid, h.mailbox), "the SMS proxy");
      expect(participantLists).toEqual([
        `/v1/Services/${h.emulator.serviceSid}/Conversations/${sms!.conversationSid}/Participants`,
      ]);
    } finally {
      remove();
    }
  });
});
