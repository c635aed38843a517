import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { MailboxInputError } from "../../src/mailbox/mailbox-errors.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard } from "../../src/runtime/create-switchboard.js";
import { UnknownCustomerError } from "../../src/runtime/switchboard-customers.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** An agent that answers `reply <n>` and records what it saw. */
function countingAgent() {
  let count = 0;
  return recordingAgent({ respond: () => `reply ${++count}` });
}

/**
 * A switchboard inside business hours (Monday 10:00 in Amsterdam, on a clock that runs from
 * there) that hands a handoff back to the bot after 400 ms nobody picked it up; the agent
 * hands off when asked for a person.
 */
async function startInsideHoursWithHandBack() {
  const base = Date.now();
  const clock = () => Date.UTC(2026, 11, 7, 9, 0) + (Date.now() - base);
  harness = await startHarness({
    agent: recordingAgent({
      respond: (turn) =>
        turn.text.includes("person")
          ? { handoff: { reason: "asked for a person" }, text: "Getting a colleague." }
          : `re: ${turn.text}`,
    }),
    mailbox: { now: clock },
    switchboard: {
      clock,
      businessHours: { timeZone: "Europe/Amsterdam", weekly: { monday: ["09:00-17:00"] } },
      handBack: { afterMs: 400, message: "Nobody is free; I'll keep helping." },
    },
  });
  return { clock, started: harness };
}

describe("one customer across channels (issue 18)", () => {
  it("links SMS and WhatsApp of one number: the history holds the other channel, the reply goes by the origin only", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000001" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000001",
    });
    const bySms = await sms.send("Is the e-bike free on Saturday?");
    await eventually(() => (sms.messages().length === 1 ? true : undefined), "the SMS reply");
    const byWhatsApp = await whatsapp.send("still free?");
    const [, second] = await agent.waitForCalls(2);
    await eventually(
      () => (whatsapp.messages().length === 1 ? true : undefined),
      "the WhatsApp reply",
    );

    const first = agent.calls[0]!;
    expect(first.conversation.customerId).toMatch(/^cu_/);
    expect(second!.conversation.customerId).toBe(first.conversation.customerId);
    // The SMS side of the story, labelled, in time order.
    expect(
      second!.history.map((message) => [message.role, message.text, message.elsewhere?.channel]),
    ).toEqual([
      ["customer", "Is the e-bike free on Saturday?", "sms"],
      ["agent", "reply 1", "sms"],
    ]);
    expect(second!.history[0]!.elsewhere?.conversationSid).toBe(bySms.conversationSid);
    // The reply went by WhatsApp only: the SMS device still has its one reply.
    await harness.emulator.idle();
    expect(whatsapp.messages().map((message) => message.body)).toEqual(["reply 2"]);
    expect(sms.messages().map((message) => message.body)).toEqual(["reply 1"]);
    expect((await botMessages(harness.emulator, bySms.conversationSid)).length).toBe(1);
    expect((await botMessages(harness.emulator, byWhatsApp.conversationSid)).length).toBe(1);

    const customer = await harness.switchboard.customers.byAddress({
      kind: "sms",
      value: "+15557000001",
    });
    expect(customer?.addresses.map((address) => [address.kind, address.source])).toEqual([
      ["sms", "first-contact"],
      ["whatsapp", "same-number"],
    ]);
  });

  it("keeps SMS and WhatsApp of one number apart when linkSameNumber is off", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent, switchboard: { customers: { linkSameNumber: false } } });
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000002" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000002",
    });
    await sms.send("Is the e-bike free?");
    await eventually(() => (sms.messages().length === 1 ? true : undefined), "the SMS reply");
    await whatsapp.send("still free?");
    const [first, second] = await agent.waitForCalls(2);
    expect(second!.history).toEqual([]);
    expect(second!.conversation.customerId).toMatch(/^cu_/);
    expect(second!.conversation.customerId).not.toBe(first!.conversation.customerId);
  });

  it("links web chat to a phone through the application hook; the SMS turn remembers the chat", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const visitor = harness.emulator.customer({ channel: "chat", address: "visitor-7f3a" });
    const chat = await visitor.send("Do you rent e-bikes for a weekend?");
    await agent.waitForCalls(1);
    await eventually(
      async () =>
        (await botMessages(harness!.emulator, chat.conversationSid)).length === 1
          ? true
          : undefined,
      "the chat reply",
    );
    // The application verified the visitor's number (its login, or a code it sent).
    const linked = await harness.switchboard.customers.link(
      { kind: "chat", value: "visitor-7f3a" },
      { kind: "sms", value: "+15557000003" },
      { source: "verified" },
    );
    expect(linked.addresses.map((address) => address.value)).toEqual([
      "visitor-7f3a",
      "+15557000003",
    ]);
    const phone = harness.emulator.customer({ channel: "sms", address: "+15557000003" });
    const bySms = await phone.send("is the e-bike still free?");
    const [, second] = await agent.waitForCalls(2);
    expect(second!.conversation.customerId).toBe(linked.customerId);
    expect(second!.history.map((message) => [message.text, message.elsewhere?.channel])).toEqual([
      ["Do you rent e-bikes for a weekend?", "chat"],
      ["reply 1", "chat"],
    ]);
    await eventually(() => (phone.messages().length === 1 ? true : undefined), "the SMS reply");
    await harness.emulator.idle();
    expect((await botMessages(harness.emulator, chat.conversationSid)).length).toBe(1);
    expect((await botMessages(harness.emulator, bySms.conversationSid)).length).toBe(1);

    // The same-number link also reaches the WhatsApp of the verified number.
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000003",
    });
    await whatsapp.send("and a helmet?");
    const [, , third] = await agent.waitForCalls(3);
    expect(third!.conversation.customerId).toBe(linked.customerId);
    expect(new Set(third!.history.map((message) => message.elsewhere?.channel))).toEqual(
      new Set(["chat", "sms"]),
    );
  });

  it("a visitor nobody linked reads no other customer's history", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const phone = harness.emulator.customer({ channel: "sms", address: "+15557000004" });
    await phone.send("my booking code is 4471");
    await agent.waitForCalls(1);
    // A visitor typing that number into the chat is a claim, not a link.
    const stranger = harness.emulator.customer({ channel: "chat", address: "visitor-stranger" });
    await stranger.send("I am +15557000004, what is my booking code?");
    const [, second] = await agent.waitForCalls(2);
    expect(second!.history).toEqual([]);
    expect(second!.conversation.customerId).not.toBe(agent.calls[0]!.conversation.customerId);
  });

  it("a person who took the customer on web chat also holds their SMS until they hand back", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const { switchboard } = harness;
    const visitor = harness.emulator.customer({ channel: "chat", address: "visitor-held" });
    const chat = await visitor.send("I need help with a damaged bike");
    await agent.waitForCalls(1);
    const customer = await switchboard.customers.link(
      { kind: "chat", value: "visitor-held" },
      { kind: "sms", value: "+15557000005" },
    );
    const phone = harness.emulator.customer({ channel: "sms", address: "+15557000005" });
    const earlier = await phone.send("hello?");
    await agent.waitForCalls(2);

    await switchboard.handoff(chat.conversationSid, "operator");
    expect((await switchboard.mailbox.conversation(earlier.conversationSid))?.state).toBe(
      "handoff",
    );
    expect((await switchboard.customers.get(customer.customerId))?.handoff).toMatchObject({
      conversationSid: chat.conversationSid,
    });
    await phone.send("are you there?");
    await eventually(async () => {
      const history = await switchboard.mailbox.history(earlier.conversationSid);
      return history.some((entry) => entry.body === "are you there?") ? true : undefined;
    }, "the held SMS recorded");
    // A conversation the customer opens after the takeover (WhatsApp, same number) is held too.
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000005",
    });
    const opened = await whatsapp.send("anyone?");
    await eventually(async () => {
      const history = await switchboard.mailbox.history(opened.conversationSid);
      return history.some((entry) => entry.body === "anyone?") ? true : undefined;
    }, "the held WhatsApp message recorded");
    expect((await switchboard.mailbox.conversation(opened.conversationSid))?.state).toBe("handoff");
    await harness.emulator.idle();
    expect(agent.calls).toHaveLength(2);

    await switchboard.release(chat.conversationSid);
    expect((await switchboard.mailbox.conversation(opened.conversationSid))?.state).toBe("idle");
    expect((await switchboard.mailbox.conversation(earlier.conversationSid))?.state).toBe("idle");
    expect((await switchboard.customers.get(customer.customerId))?.handoff).toBeNull();
    await phone.send("back?");
    const calls = await agent.waitForCalls(3);
    expect(calls[2]!.turn.text).toBe("back?");
  });

  it("the hand-back timeout lets the whole customer go, not only the conversation that handed off", async () => {
    const { started } = await startInsideHoursWithHandBack();
    const { mailbox } = started;
    const sms = started.emulator.customer({ channel: "sms", address: "+15557000011" });
    const whatsapp = started.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000011",
    });
    const byWhatsApp = await whatsapp.send("hello");
    await eventually(() => (whatsapp.messages().length === 1 ? true : undefined), "the reply");
    const bySms = await sms.send("I need a person");
    await eventually(
      async () =>
        (await mailbox.conversation(byWhatsApp.conversationSid))?.state === "handoff"
          ? true
          : undefined,
      "the WhatsApp conversation held with the SMS handoff",
    );
    await eventually(() => (sms.messages().length === 2 ? true : undefined), "the hand-back");
    await eventually(
      async () =>
        (await mailbox.conversation(byWhatsApp.conversationSid))?.state === "idle"
          ? true
          : undefined,
      "the WhatsApp conversation let go",
    );
    expect((await mailbox.conversation(bySms.conversationSid))?.state).toBe("idle");
    expect((await mailbox.customerOfConversation(bySms.conversationSid))?.handoff).toBeNull();
    await whatsapp.send("so?");
    await eventually(() => (whatsapp.messages().length === 2 ? true : undefined), "answered");
    expect(whatsapp.messages()[1]!.body).toBe("re: so?");
  });

  it("a person who answers in another of the customer's conversations has picked the handoff up", async () => {
    const { clock, started } = await startInsideHoursWithHandBack();
    const { mailbox } = started;
    const sms = started.emulator.customer({ channel: "sms", address: "+15557000012" });
    const whatsapp = started.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000012",
    });
    const byWhatsApp = await whatsapp.send("hello");
    await eventually(() => (whatsapp.messages().length === 1 ? true : undefined), "the reply");
    const bySms = await sms.send("I need a person");
    await eventually(() => (sms.messages().length === 1 ? true : undefined), "the handoff");
    // The person answers on WhatsApp, the customer's other conversation they now hold.
    await mailbox.ingest({
      conversationSid: byWhatsApp.conversationSid,
      messageSid: `IM${"d".repeat(32)}`,
      index: 50,
      author: "ada@example.com",
      body: "Ada here, I have your order open.",
      media: [],
      attributes: {},
      channel: "whatsapp",
      source: "SDK",
      dateCreated: clock(),
      receivedAt: clock(),
      role: "human",
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await mailbox.conversation(bySms.conversationSid))?.state).toBe("handoff");
    expect((await mailbox.conversation(byWhatsApp.conversationSid))?.state).toBe("handoff");
    expect(sms.messages()).toHaveLength(1);
  });

  it("honours consent per address: STOP on SMS does not silence WhatsApp of the same customer", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000006" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000006",
    });
    await sms.send("hi");
    await agent.waitForCalls(1);
    await sms.send("STOP");
    await eventually(
      async () =>
        (await harness!.mailbox.consent("+15557000006"))?.state === "opted-out" ? true : undefined,
      "the SMS opt-out",
    );
    await whatsapp.send("still there?");
    const [, second] = await agent.waitForCalls(2);
    expect(second!.turn.text).toBe("still there?");
    expect(second!.conversation.customerId).toBe(agent.calls[0]!.conversation.customerId);
    expect(await harness.mailbox.consent("whatsapp:+15557000006")).toBeNull();
  });

  it("deletes the customer: every address, conversation, message and consent record in one call", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const { switchboard, mailbox } = harness;
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000007" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000007",
    });
    const bySms = await sms.send("hello");
    await agent.waitForCalls(1);
    const byWhatsApp = await whatsapp.send("hello again");
    await agent.waitForCalls(2);
    await eventually(() => (whatsapp.messages().length === 1 ? true : undefined), "the reply");
    await switchboard.setConsent("+15557000007", "opted-out", { detail: "test" });
    const other = harness.emulator.customer({ channel: "sms", address: "+15557000008" });
    const kept = await other.send("someone else");
    await agent.waitForCalls(3);

    const customer = await switchboard.customers.ofConversation(bySms.conversationSid);
    const deleted = await switchboard.customers.delete(customer!.customerId);
    expect(deleted).toMatchObject({ addresses: 2, conversations: 2, consent: 1 });
    expect(deleted!.messages).toBeGreaterThanOrEqual(4);
    expect(await switchboard.customers.get(customer!.customerId)).toBeNull();
    expect(
      await switchboard.customers.byAddress({ kind: "whatsapp", value: "whatsapp:+15557000007" }),
    ).toBeNull();
    for (const sid of [bySms.conversationSid, byWhatsApp.conversationSid]) {
      expect(await mailbox.conversation(sid)).toBeNull();
      expect(await mailbox.history(sid)).toEqual([]);
      expect(await mailbox.deliveries(sid)).toEqual([]);
    }
    expect(await mailbox.consent("+15557000007")).toBeNull();
    expect(await switchboard.customers.list({ search: "7000007" })).toEqual([]);
    expect((await mailbox.history(kept.conversationSid)).length).toBeGreaterThan(0);
    expect(await switchboard.customers.list({ search: "7000008" })).toHaveLength(1);
  });

  it("unlinks an address for good: it keeps its own customer and is not linked again by number", async () => {
    const agent = countingAgent();
    harness = await startHarness({ agent });
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000009" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000009",
    });
    await sms.send("one");
    await agent.waitForCalls(1);
    await whatsapp.send("two");
    await agent.waitForCalls(2);
    const separated = await harness.switchboard.customers.unlink({
      kind: "whatsapp",
      value: "whatsapp:+15557000009",
    });
    expect(separated?.addresses.map((address) => address.value)).toEqual(["whatsapp:+15557000009"]);
    await whatsapp.send("three");
    const [first, , third] = await agent.waitForCalls(3);
    expect(third!.conversation.customerId).toBe(separated!.customerId);
    expect(third!.conversation.customerId).not.toBe(first!.conversation.customerId);
    expect(third!.history.some((message) => message.elsewhere !== undefined)).toBe(false);
    expect(
      await harness.switchboard.customers.unlink({ kind: "sms", value: "+15550000000" }),
    ).toBeNull();
  });

  it("refuses an unknown customer id, a malformed address and bad options", async () => {
    harness = await startHarness({ agent: countingAgent() });
    const { customers } = harness.switchboard;
    await expect(
      customers.link(`cu_${"0".repeat(32)}`, { kind: "sms", value: "+15557000010" }),
    ).rejects.toBeInstanceOf(UnknownCustomerError);
    await expect(
      customers.link({ kind: "chat", value: "v" }, { kind: "sms", value: "x".repeat(300) }),
    ).rejects.toBeInstanceOf(MailboxInputError);
    const options = (customers: unknown) => () =>
      createSwitchboard({
        provider: harness!.provider,
        agent: countingAgent(),
        mailbox: sqliteMailbox({ path: ":memory:" }),
        customers: customers as never,
      });
    expect(options({ linkSameNumber: "yes" })).toThrow(ConfigError);
    expect(options({ linkSameNumber: "yes" })).toThrow(/customers\.linkSameNumber/);
    expect(options({ historyLimit: 201 })).toThrow(/customers\.historyLimit/);
    expect(options({ historyLimit: -1 })).toThrow(/customers\.historyLimit/);
    expect(options(null)).toThrow(/customers/);
  });
});
