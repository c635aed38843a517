import { afterEach, describe, expect, it } from "vitest";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { signedWebhookRequest } from "../../src/twilio/webhook/webhook-fixtures.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages, deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("conversation rules", () => {
  it("never answers its own messages, echoes of its replies or other bots (invariant 4)", async () => {
    const agent = recordingAgent();
    harness = await startHarness({
      agent,
      switchboard: { botIdentities: ["+15550009999", "faq-bot"] },
    });
    const h = harness;
    const [seed] = await seedSmsConversation(h.emulator, "+15551230001", ["hello"]);
    const base = { ...seed!, index: 10 };
    const echoes = [
      {
        ...base,
        messageSid: "IM00000000000000000000000000000a01",
        index: 10,
        author: "switchboard",
      },
      {
        ...base,
        messageSid: "IM00000000000000000000000000000a02",
        index: 11,
        author: "+15551230001",
      },
      {
        ...base,
        messageSid: "IM00000000000000000000000000000a03",
        index: 12,
        author: "+15550009999",
      },
      { ...base, messageSid: "IM00000000000000000000000000000a04", index: 13, author: "faq-bot" },
      { ...base, messageSid: "IM00000000000000000000000000000a05", index: 14, author: "system" },
    ];
    for (const [position, echo] of echoes.entries()) {
      const fields: Record<string, string> =
        position === 1 ? { Attributes: JSON.stringify({ switchboardReplyId: "IMx.r0" }) } : {};
      expect(await deliverWebhook(h.emulator, h.webhookUrl, echo, { fields })).toBe(200);
    }
    const history = await h.mailbox.history(seed!.conversationSid);
    expect(history.map((entry) => entry.direction === "inbound" && entry.role)).toEqual([
      "bot",
      "bot",
      "bot",
      "bot",
      "bot",
    ]);
    await sleep(300);
    expect(agent.calls).toHaveLength(0);
    expect(await botMessages(h.emulator, seed!.conversationSid)).toEqual([]);
  });

  it("refuses forged or unsigned webhooks with an empty 403, stores nothing and logs why (invariant 5)", async () => {
    const agent = recordingAgent();
    harness = await startHarness({ agent });
    const h = harness;
    const [seed] = await seedSmsConversation(h.emulator, "+15551230001", ["hello"]);
    const body = new URLSearchParams({
      AccountSid: h.emulator.accountSid,
      EventType: "onMessageAdded",
      ConversationSid: seed!.conversationSid,
      MessageSid: seed!.messageSid,
      Index: "0",
      Author: "+15551230001",
      Body: "hello",
      Source: "SMS",
      DateCreated: new Date().toISOString(),
    }).toString();
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const unsigned = await fetch(h.webhookUrl, { method: "POST", headers, body });
    const forged = await fetch(h.webhookUrl, {
      method: "POST",
      headers: { ...headers, "x-twilio-signature": "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==" },
      body,
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toBe("");
    expect(forged.status).toBe(403);
    expect(await forged.text()).toBe("");
    // Signed for another URL (a replay from elsewhere), or with another account's token.
    const elsewhere = signedWebhookRequest({
      url: "https://attacker.example/twilio/webhook",
      authToken: h.emulator.authToken,
      fields: { ConversationSid: seed!.conversationSid },
    });
    const replayed = await fetch(h.webhookUrl, { ...elsewhere, url: undefined } as RequestInit);
    expect(replayed.status).toBe(403);
    const otherToken = signedWebhookRequest({
      url: h.webhookUrl,
      authToken: "not-the-auth-token",
      fields: { ConversationSid: seed!.conversationSid },
    });
    expect((await fetch(h.webhookUrl, otherToken)).status).toBe(403);
    expect(await h.mailbox.knownConversations()).toEqual([]);
    const refusals = h.log.lines.filter(
      (line) => line.message === "webhook refused: bad signature",
    );
    expect(refusals.length).toBe(4);
    expect(String(refusals[0]!.fields.reason)).toMatch(/signature/i);
    await sleep(200);
    expect(agent.calls).toHaveLength(0);
  });

  it("hands off on the keyword, records the person's messages, and resumes after release", async () => {
    const agent = recordingAgent({ respond: (turn) => `bot: ${turn.text}` });
    harness = await startHarness({ agent, switchboard: { humanIdentities: ["ada@example.com"] } });
    const h = harness;
    const handoffs: string[] = [];
    h.switchboard.events.on("handoff", (event) => handoffs.push(event.source));
    const customer = h.emulator.customer({ channel: "sms", address: "+15551230002" });
    const first = await customer.send("HUMAN");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "handoff notice");
    expect(customer.messages()[0]!.body).toBe("Connecting you with a person. Please wait.");
    expect(handoffs).toEqual(["keyword"]);
    expect((await h.mailbox.conversation(first.conversationSid))?.state).toBe("handoff");

    await customer.send("are you there?");
    // The operator answers from a console, as a chat identity, with webhooks enabled.
    await h.emulator
      .twilioClient()
      .conversations.v1.services(h.emulator.serviceSid)
      .conversations(first.conversationSid)
      .messages.create({
        author: "ada@example.com",
        body: "Hi, Ada here",
        xTwilioWebhookEnabled: "true",
      });
    await eventually(
      async () =>
        (await h.mailbox.history(first.conversationSid)).some(
          (entry) => entry.direction === "inbound" && entry.role === "human",
        )
          ? true
          : undefined,
      "the operator's message in history",
    );
    await sleep(200);
    expect(agent.calls).toHaveLength(0);

    await h.switchboard.release(first.conversationSid);
    await customer.send("thanks");
    const [call] = await agent.waitForCalls(1);
    expect(call!.turn.text).toBe("thanks");
    expect(call!.history.map((message) => [message.role, message.text])).toEqual([
      ["customer", "HUMAN"],
      ["agent", "Connecting you with a person. Please wait."],
      ["customer", "are you there?"],
      ["human", "Hi, Ada here"],
    ]);
    await eventually(
      () =>
        customer.messages().some((message) => message.body === "bot: thanks") ? true : undefined,
      "the agent's answer after release",
    );
  });

  it("hands off when the agent asks to, and tells the app", async () => {
    const agent = recordingAgent({
      respond: () => ({ handoff: { reason: "refund request" }, text: "A colleague will help." }),
    });
    harness = await startHarness({ agent });
    const h = harness;
    const events: { reason: string; source: string }[] = [];
    h.switchboard.events.on("handoff", (event) => events.push(event));
    const customer = h.emulator.customer({ channel: "sms", address: "+15551230003" });
    const sent = await customer.send("I want my money back");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the notice");
    expect(events).toEqual([
      { conversationSid: sent.conversationSid, reason: "refund request", source: "agent" },
    ]);
    await customer.send("hello?");
    await sleep(300);
    expect(agent.calls).toHaveLength(1);
  });

  it("sends no reply when an operator takes the conversation while the agent is thinking", async () => {
    const agent = recordingAgent({ respond: (turn) => `re: ${turn.text}`, held: true });
    harness = await startHarness({ agent });
    const h = harness;
    const completed: string[] = [];
    h.switchboard.events.on("turn.completed", (event) => completed.push(event.turnId));
    const [message] = await seedSmsConversation(h.emulator, "+15551230006", ["question"]);
    await deliverWebhook(h.emulator, h.webhookUrl, message!);
    const [call] = await agent.waitForCalls(1);

    await h.switchboard.handoff(message!.conversationSid);
    // The running turn is fenced out: its agent is told to stop …
    await eventually(() => (call!.signal.aborted ? true : undefined), "the agent's abort");
    // … and an answer that comes anyway is thrown away.
    agent.release();
    await sleep(300);
    expect(completed).toEqual([]);
    expect(await botMessages(h.emulator, message!.conversationSid)).toEqual([]);
    expect(await h.mailbox.conversation(message!.conversationSid)).toMatchObject({
      state: "handoff",
    });
  });

  it("answers a burst of messages together under the burst policy", async () => {
    const agent = recordingAgent({ respond: (turn) => `got ${turn.messages.length}` });
    harness = await startHarness({ agent });
    const h = harness;
    const seeded = await seedSmsConversation(h.emulator, "+15551230004", ["one", "two", "three"]);
    await h.switchboard.setPolicy(seeded[0]!.conversationSid, { mode: "burst", windowMs: 2000 });
    await Promise.all(seeded.map((message) => deliverWebhook(h.emulator, h.webhookUrl, message)));
    const [call] = await agent.waitForCalls(1);
    expect(call!.turn.text).toBe("one\ntwo\nthree");
    await eventually(
      async () =>
        (await botMessages(h.emulator, seeded[0]!.conversationSid)).length === 1 ? true : undefined,
      "one reply",
    );
    expect(agent.calls).toHaveLength(1);
  });

  it("keeps the lease with heartbeats while the agent thinks longer than the lease", async () => {
    const agent = recordingAgent({
      respond: async (turn) => {
        await sleep(3000);
        return `slow ${turn.text}`;
      },
    });
    harness = await startHarness({
      agent,
      switchboard: {
        workers: {
          // Slack for a loaded 2-core CI: a heartbeat every 300 ms keeps a 1.5 s lease.
          leaseMs: 1500,
          heartbeatMs: 300,
          pollMs: 20,
          retryBaseMs: 20,
          sendRetryBaseMs: 20,
        },
      },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551230005" });
    await customer.send("think");
    await eventually(
      () => (customer.messages().length === 1 ? true : undefined),
      "the slow answer",
    );
    await sleep(300);
    expect(agent.calls).toHaveLength(1);
    expect(customer.messages().map((message) => message.body)).toEqual(["slow think"]);
  });
});
