import { afterEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const day = 24 * 60 * 60 * 1000;
const templateInput = {
  friendly_name: "follow_up",
  language: "en",
  variables: { "1": "there" },
  types: { "twilio/text": { body: "Hi {{1}}, we have an answer for you. Reply to continue." } },
};

function withTemplate(emulator: Emulator) {
  const template = emulator.content.create(emulator.accountSid, templateInput);
  return {
    channels: { whatsapp: { template: { contentSid: template.sid, variables: { "1": "Ada" } } } },
  };
}

describe("channel shaping end to end (invariant 7)", () => {
  it("splits a long SMS reply at 1600 characters on sentence boundaries, never truncating", async () => {
    const sentence =
      "Our opening hours change on public holidays, so please check before you visit. ";
    const long = sentence.repeat(50).trim();
    harness = await startHarness({
      agent: recordingAgent({ respond: () => `**Hours**\n\n${long}` }),
      switchboard: { channels: { sms: { markers: true } } },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15554000001" });
    const { conversationSid } = await customer.send("hours?");
    const parts = await eventually(async () => {
      const sent = await botMessages(harness!.emulator, conversationSid);
      return sent.length >= 3 ? sent : undefined;
    }, "the split reply");
    expect(parts).toHaveLength(3);
    parts.forEach((part, position) => {
      expect(part.body!.length).toBeLessThanOrEqual(1600);
      expect(part.body!.endsWith(`. (${position + 1}/3)`)).toBe(true);
      expect(part.attributes.switchboardSms).toMatchObject({ encoding: "GSM-7" });
    });
    const text = parts.map((part) => part.body!.replace(/ \(\d\/3\)$/, "")).join(" ");
    // Cuts fall between sentences; the space at each cut is the only thing dropped.
    expect(text).toBe(`Hours\n\n${long}`);
    await eventually(
      () => (customer.messages().length === 3 ? true : undefined),
      "3 SMS delivered",
    );
  });

  it("sends the WhatsApp template instead of free text outside the 24-hour window", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: () => "A free-form answer" }),
      // The service's clock is a day ahead of the customer's last message.
      switchboard: { clock: () => Date.now() + day + 60_000 },
      configure: withTemplate,
    });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554000002",
    });
    await customer.send("hello");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    expect(customer.messages()[0]!.body).toBe(
      "Hi Ada, we have an answer for you. Reply to continue.",
    );
  });

  it("sends the template after a 63016 delivery failure of a free-form reply", async () => {
    const agent = recordingAgent({ respond: () => "A free-form answer", held: true });
    harness = await startHarness({ agent, configure: withTemplate });
    const fallbacks: string[] = [];
    harness.switchboard.events.on("whatsapp.template", (event) => fallbacks.push(event.reason));
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554000003",
    });
    const { conversationSid } = await customer.send("hello");
    await agent.waitForCalls(1);
    // The answer takes longer than the window has left: Twilio refuses it with 63016.
    harness.emulator.clock.advance(day + 1000);
    agent.release();
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    await harness.emulator.idle();
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Hi Ada, we have an answer for you. Reply to continue.",
    ]);
    expect(fallbacks).toEqual(["63016"]);
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent.map((message) => message.body)).toEqual(["A free-form answer", null]);
  });

  it("queues exactly one template, after the parts, when every part of a long reply fails 63016", async () => {
    const sentence = "Here is one more detail about your order and its delivery. ";
    const long = sentence.repeat(60).trim();
    const agent = recordingAgent({ respond: () => long, held: true });
    harness = await startHarness({ agent, configure: withTemplate });
    const fallbacks: string[] = [];
    harness.switchboard.events.on("whatsapp.template", (event) => fallbacks.push(event.reason));
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554000005",
    });
    const { conversationSid } = await customer.send("where is my order?");
    await agent.waitForCalls(1);
    // Every part goes out after the window closed: each fails 63016 with its own webhook.
    harness.emulator.clock.advance(day + 1000);
    agent.release();
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    await harness.emulator.idle();
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    // The parts in order, then the template (no body) once, last.
    expect(sent.slice(0, -1).every((message) => message.body !== null)).toBe(true);
    expect(sent.at(-1)?.body).toBeNull();
    expect(sent.at(-1)?.attributes.switchboardTemplateReason).toBe("63016");
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Hi Ada, we have an answer for you. Reply to continue.",
    ]);
    expect(fallbacks).toEqual(["63016"]);
  });

  it("formats markdown for WhatsApp inside the window and leaves chat text unchanged", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: () => "**Open** today, see _details_" }),
      configure: withTemplate,
    });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554000004",
    });
    const chat = harness.emulator.customer({ channel: "chat", address: "ada" });
    await whatsapp.send("hours?");
    await chat.send("hours?");
    await eventually(
      () => (whatsapp.messages().length === 1 && chat.messages().length === 1 ? true : undefined),
      "both replies",
    );
    expect(whatsapp.messages()[0]!.body).toBe("*Open* today, see _details_");
    expect(chat.messages()[0]!.body).toBe("**Open** today, see _details_");
  });
});
