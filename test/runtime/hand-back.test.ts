import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import type { HandbackInfo } from "../../src/agents/types.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hours = { timeZone: "Europe/Amsterdam", weekly: { monday: ["09:00-17:00"] } };
/** A clock that runs from `start` (the mailbox and the switchboard share it). */
function clockFrom(start: number): () => number {
  const base = Date.now();
  return () => start + (Date.now() - base);
}
/** Monday 7 December 2026, 10:00 in Amsterdam (open); and 02:00 the same day (closed). */
const mondayMorning = Date.UTC(2026, 11, 7, 9, 0);
const mondayNight = Date.UTC(2026, 11, 7, 1, 0);

async function start(clock: () => number) {
  const handbacks: (HandbackInfo | undefined)[] = [];
  harness = await startHarness({
    agent: functionAgent(async (turn, context) => {
      if (turn.text.includes("person"))
        return { handoff: { reason: "asked for a person" }, text: "Getting a colleague." };
      handbacks.push(context.handback);
      return `re: ${turn.text}`;
    }),
    mailbox: { now: clock },
    switchboard: {
      clock,
      businessHours: hours,
      handBack: { afterMs: 400, message: "Nobody is free; I'll keep helping." },
    },
  });
  return { h: harness, handbacks };
}

describe("hand-back timeout and returning to the bot", () => {
  it("hands an unanswered handoff back inside hours, and tells the agent next turn", async () => {
    const { h, handbacks } = await start(clockFrom(mondayMorning));
    const customer = h.emulator.customer({ channel: "sms", address: "+15551238001" });
    const { conversationSid } = await customer.send("I need a person");
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "hand-back");
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Getting a colleague.",
      "Nobody is free; I'll keep helping.",
    ]);
    expect((await h.mailbox.conversation(conversationSid))?.state).toBe("idle");
    expect(await h.mailbox.waitingForPerson()).toEqual([]);

    await customer.send("ok, when do you open?");
    await eventually(() => (customer.messages().length === 3 ? true : undefined), "answer");
    expect(handbacks).toHaveLength(1);
    expect(handbacks[0]).toMatchObject({
      by: "timeout",
      reason: "asked for a person",
      staffMessages: [],
    });
    expect(handbacks[0]?.note).toMatch(/Nobody from the staff picked the handoff up/);
    // Only the first turn after the hand-back is told.
    await customer.send("thanks");
    await eventually(() => (customer.messages().length === 4 ? true : undefined), "answer 2");
    expect(handbacks[1]).toBeUndefined();
  });

  it("leaves a handoff a person picked up, and says what they wrote when they hand back", async () => {
    const { h, handbacks } = await start(clockFrom(mondayMorning));
    const customer = h.emulator.customer({ channel: "sms", address: "+15551238002" });
    const { conversationSid } = await customer.send("I need a person");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "handoff");
    // A person answers from their own tool (as a participant that is not the bot).
    const waiting = await h.mailbox.waitingForPerson();
    expect(waiting.map((entry) => entry.conversationSid)).toEqual([conversationSid]);
    await h.mailbox.ingest({
      conversationSid,
      messageSid: `IM${"c".repeat(32)}`,
      index: 50,
      author: "ada@example.com",
      body: "Hi, Ada here. Your refund is on its way.",
      media: [],
      attributes: {},
      channel: "sms",
      source: "SDK",
      dateCreated: Date.now(),
      receivedAt: Date.now(),
      role: "human",
    });
    await sleep(800);
    expect((await h.mailbox.conversation(conversationSid))?.state).toBe("handoff");
    expect(customer.messages()).toHaveLength(1);

    await h.switchboard.release(conversationSid);
    await customer.send("thank you!");
    await eventually(() => (handbacks.length === 1 ? true : undefined), "turn after release");
    expect(handbacks[0]).toMatchObject({
      by: "operator",
      staffMessages: ["Hi, Ada here. Your refund is on its way."],
    });
  });

  it("never hands back a handoff made outside business hours", async () => {
    const { h } = await start(clockFrom(mondayNight));
    const customer = h.emulator.customer({ channel: "sms", address: "+15551238003" });
    const { conversationSid } = await customer.send("I need a person");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "handoff");
    expect(customer.messages()[0]!.body).toMatch(/A person will reply today at 9:00/);
    await sleep(900);
    expect((await h.mailbox.conversation(conversationSid))?.state).toBe("handoff");
    expect(customer.messages()).toHaveLength(1);
  });
});
