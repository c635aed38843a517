import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { businessHours } from "../../src/config/business-hours.js";
import { ConfigError } from "../../src/errors.js";
import { createSwitchboard } from "../../src/runtime/create-switchboard.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hours = {
  timeZone: "Europe/Amsterdam",
  weekly: { monday: ["09:00-17:00"], tuesday: ["09:00-17:00"], wednesday: ["09:00-17:00"] },
  holidays: ["2026-12-08"],
};
/** Sunday 6 December 2026, 02:00 in Amsterdam: closed. */
const sundayNight = Date.UTC(2026, 11, 6, 1, 0);
/** Monday 7 December 2026, 10:00 in Amsterdam: open. */
const mondayMorning = Date.UTC(2026, 11, 7, 9, 0);

describe("business hours", () => {
  it("tells the customer when a person will reply on a keyword handoff outside hours", async () => {
    harness = await startHarness({
      agent: functionAgent(async () => "unused"),
      switchboard: { businessHours: hours, clock: () => sundayNight },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551239001" });
    const { conversationSid } = await customer.send("human");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "notice");
    expect(customer.messages()[0]!.body).toBe(
      "Our team is away right now. A person will reply tomorrow at 9:00.",
    );
    expect((await harness.mailbox.conversation(conversationSid))?.state).toBe("handoff");
  });

  it("replaces the agent's handoff text outside hours with the configured one (holiday)", async () => {
    // Monday 17:30: closed; Tuesday 8 December is a holiday, so Wednesday.
    const mondayEvening = Date.UTC(2026, 11, 7, 16, 30);
    harness = await startHarness({
      agent: functionAgent(async () => ({
        handoff: { reason: "refund" },
        text: "A person will answer you shortly.",
      })),
      switchboard: {
        businessHours: businessHours(hours),
        afterHoursMessage: "We're closed; someone replies {when}.",
        clock: () => mondayEvening,
      },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551239002" });
    await customer.send("I want a refund");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "notice");
    expect(customer.messages()[0]!.body).toBe(
      `We're closed; someone replies ${businessHours(hours).describeNextOpening(new Date(mondayEvening))}.`,
    );
    expect(customer.messages()[0]!.body).toContain("Wednesday at 9:00");
  });

  it("keeps the agent's handoff text inside hours", async () => {
    harness = await startHarness({
      agent: functionAgent(async () => ({
        handoff: { reason: "refund" },
        text: "A person will answer you shortly.",
      })),
      switchboard: { businessHours: hours, clock: () => mondayMorning },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551239003" });
    await customer.send("I want a refund");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "notice");
    expect(customer.messages()[0]!.body).toBe("A person will answer you shortly.");
  });

  it("refuses bad hours at construction, naming the option", () => {
    const build = (businessHoursOption: unknown) => () =>
      createSwitchboard({
        provider: { sendMessage: async () => ({ id: "IM1" }), async *listMessages() {} },
        agent: functionAgent(async () => "x"),
        mailbox: { ingest: async () => "accepted" } as never,
        businessHours: businessHoursOption as never,
      });
    expect(build({ timeZone: "Mars/Olympus", weekly: {} })).toThrow(ConfigError);
    expect(build({ timeZone: "Mars/Olympus", weekly: {} })).toThrow(/businessHours/);
    expect(build({ timeZone: "UTC", weekly: { monday: ["17:00-09:00"] } })).toThrow(
      /businessHours\.weekly\.monday/,
    );
  });
});

describe("slow turns", () => {
  it("sends one 'one moment' message per slow turn, also across a retry, then the answer", async () => {
    let calls = 0;
    harness = await startHarness({
      agent: functionAgent(async (turn) => {
        calls += 1;
        await sleep(500);
        if (calls === 1) throw new Error("model timed out");
        return `Here is your answer about ${turn.text}`;
      }),
      switchboard: { slowTurn: { afterMs: { sms: 150 }, message: "One moment please." } },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551239004" });
    const { conversationSid } = await customer.send("the tandem");
    await eventually(
      () => (customer.messages().length >= 2 ? true : undefined),
      "moment and answer",
    );
    await sleep(400);
    expect(calls).toBe(2);
    expect(customer.messages().map((message) => message.body)).toEqual([
      "One moment please.",
      "Here is your answer about the tandem",
    ]);
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent).toHaveLength(2);
  });

  it("says nothing extra for a fast turn, nor on web chat by default", async () => {
    harness = await startHarness({
      agent: functionAgent(async (turn) => {
        if (turn.channel === "chat") await sleep(500);
        return `re: ${turn.text}`;
      }),
      switchboard: { slowTurn: { afterMs: { sms: 300 } } },
    });
    const sms = harness.emulator.customer({ channel: "sms", address: "+15551239005" });
    const chat = harness.emulator.customer({ channel: "chat", address: "visitor-1" });
    await sms.send("quick");
    await chat.send("slow but typing shows");
    await eventually(() => (sms.messages().length === 1 ? true : undefined), "sms answer");
    await eventually(() => (chat.messages().length === 1 ? true : undefined), "chat answer");
    await sleep(400);
    expect(sms.messages().map((message) => message.body)).toEqual(["re: quick"]);
    expect(chat.messages().map((message) => message.body)).toEqual(["re: slow but typing shows"]);
  });

  it("refuses a bad threshold at construction, naming the option", () => {
    expect(() =>
      createSwitchboard({
        provider: { sendMessage: async () => ({ id: "IM1" }), async *listMessages() {} },
        agent: functionAgent(async () => "x"),
        mailbox: { ingest: async () => "accepted" } as never,
        slowTurn: { afterMs: { sms: -5 } },
      }),
    ).toThrow(/slowTurn\.afterMs\.sms/);
  });
});
