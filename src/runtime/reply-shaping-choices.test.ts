import { describe, expect, it } from "vitest";
import type { Choices } from "../channel/choices.js";
import { smsSegments } from "../twilio/channels/sms-segments.js";
import { choicesAttribute, shapeReply } from "./reply-shaping.js";

const now = Date.parse("2026-05-18T12:00:00Z");
const base = { lastInboundAt: now - 60_000, now, smsMarkers: false, whatsappTemplate: undefined };
const choices: Choices = {
  type: "quick-replies",
  body: "What do you need?",
  options: [
    { id: "repair", title: "Repairs" },
    { id: "rental", title: "Rentals" },
    { id: "other", title: "Something else" },
  ],
};
const numbered =
  "What do you need?\n\n1. Repairs\n2. Rentals\n3. Something else\nReply with a number.";

describe("shapeReply with choices", () => {
  it("renders numbered text on SMS, once even when the text repeats the body", () => {
    const shaped = shapeReply({ text: choices.body, choices }, { ...base, channel: "sms" });
    expect(shaped.replies.map((reply) => reply.body)).toEqual([numbered]);
    expect(shaped.replies[0]!.attributes).toEqual({
      switchboardSms: { encoding: "GSM-7", segments: 1 },
      [choicesAttribute]: choices,
    });
    const lead = shapeReply({ text: "Hi Ada!", choices }, { ...base, channel: "sms" });
    expect(lead.replies.map((reply) => reply.body)).toEqual([`Hi Ada!\n\n${numbered}`]);
  });

  it("carries the choices as web chat buttons on the last message", () => {
    const shaped = shapeReply({ text: choices.body, choices }, { ...base, channel: "chat" });
    expect(shaped.replies).toEqual([
      { body: "What do you need?", attributes: { [choicesAttribute]: choices } },
    ]);
  });

  it("sends the Content template on WhatsApp, and numbered text without one", () => {
    const contentSid = "HX0123456789abcdef0123456789abcdef";
    const shaped = shapeReply(
      { text: choices.body, choices },
      { ...base, channel: "whatsapp", choicesContentSid: contentSid },
    );
    expect(shaped.replies).toEqual([
      {
        body: null,
        template: { contentSid, variables: {} },
        attributes: { [choicesAttribute]: choices },
      },
    ]);
    const fallback = shapeReply({ text: choices.body, choices }, { ...base, channel: "whatsapp" });
    expect(fallback.replies.map((reply) => reply.body)).toEqual([numbered]);
  });

  it("caps SMS segments per message by splitting, at the UCS-2 size when a part needs it", () => {
    const sentence = "Here is one more detail about your order and its delivery. ";
    const gsm = shapeReply(
      { text: sentence.repeat(12).trim() },
      { ...base, channel: "sms", smsMaxSegments: 2 },
    );
    expect(gsm.replies.length).toBeGreaterThan(1);
    for (const reply of gsm.replies)
      expect(smsSegments(reply.body!).segments).toBeLessThanOrEqual(2);
    const emoji = shapeReply(
      { text: `${sentence.repeat(4).trim()} 😀` },
      { ...base, channel: "sms", smsMaxSegments: 2 },
    );
    expect(emoji.replies.length).toBeGreaterThan(1);
    for (const reply of emoji.replies)
      expect(smsSegments(reply.body!).segments).toBeLessThanOrEqual(2);
  });
});
