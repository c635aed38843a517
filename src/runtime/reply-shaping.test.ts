import { describe, expect, it } from "vitest";
import { shapeReply } from "./reply-shaping.js";

const now = Date.parse("2026-05-18T12:00:00Z");
const base = {
  lastInboundAt: now - 60_000,
  now,
  smsMarkers: false,
  whatsappTemplate: { contentSid: "HX00000000000000000000000000000001", variables: { "1": "x" } },
};

describe("shapeReply", () => {
  it("splits a long SMS reply at 1600 characters on sentence boundaries without losing text", () => {
    const sentence = "This sentence is part of a long answer about opening hours. ";
    const text = sentence.repeat(80).trim();
    const shaped = shapeReply({ text }, { ...base, channel: "sms" });
    expect(shaped.replies.length).toBeGreaterThan(1);
    for (const reply of shaped.replies) {
      expect(reply.body!.length).toBeLessThanOrEqual(1600);
      expect(reply.body!.endsWith(".")).toBe(true);
    }
    expect(shaped.replies.map((reply) => reply.body).join(" ")).toBe(text);
  });

  it("records GSM-7 / UCS-2 segment counts on SMS and strips markdown", () => {
    const plain = shapeReply({ text: "**Open** today" }, { ...base, channel: "sms" });
    expect(plain.replies[0]!.body).toBe("Open today");
    expect(plain.replies[0]!.attributes).toEqual({
      switchboardSms: { encoding: "GSM-7", segments: 1 },
    });
    const emoji = shapeReply({ text: "Open today 😀" }, { ...base, channel: "sms" });
    expect(emoji.replies[0]!.attributes).toEqual({
      switchboardSms: { encoding: "UCS-2", segments: 1 },
    });
  });

  it("adds (1/n) markers when configured", () => {
    const text = "Word ".repeat(700).trim();
    const shaped = shapeReply({ text }, { ...base, channel: "sms", smsMarkers: true });
    const count = shaped.replies.length;
    expect(count).toBeGreaterThan(1);
    shaped.replies.forEach((reply, position) => {
      expect(reply.body!.endsWith(`(${position + 1}/${count})`)).toBe(true);
      expect(reply.body!.length).toBeLessThanOrEqual(1600);
    });
  });

  it("turns markdown into WhatsApp formatting inside the window", () => {
    const shaped = shapeReply({ text: "**Open** today" }, { ...base, channel: "whatsapp" });
    expect(shaped.usedTemplate).toBe(false);
    expect(shaped.replies).toEqual([{ body: "*Open* today" }]);
  });

  it("sends the configured template once instead of free text outside the 24-hour window", () => {
    const text = "Long answer. ".repeat(300);
    const shaped = shapeReply(
      { text },
      { ...base, channel: "whatsapp", lastInboundAt: now - 25 * 60 * 60 * 1000 },
    );
    expect(shaped.usedTemplate).toBe(true);
    expect(shaped.replies).toEqual([
      {
        body: null,
        template: { contentSid: "HX00000000000000000000000000000001", variables: { "1": "x" } },
        attributes: { switchboardTemplateReason: "window-closed" },
      },
    ]);
  });

  it("keeps free text outside the window when no template is configured", () => {
    const shaped = shapeReply(
      { text: "hello" },
      {
        ...base,
        whatsappTemplate: undefined,
        channel: "whatsapp",
        lastInboundAt: now - 25 * 60 * 60 * 1000,
      },
    );
    expect(shaped.replies).toEqual([{ body: "hello" }]);
  });

  it("leaves chat text unchanged up to 32 KB", () => {
    const text = "**markdown** stays ".repeat(1000);
    const shaped = shapeReply({ text }, { ...base, channel: "chat" });
    expect(shaped.replies).toEqual([{ body: text }]);
  });

  it("answers nothing for skip and carries the handoff reason", () => {
    expect(shapeReply({ skip: true }, { ...base, channel: "sms" }).replies).toEqual([]);
    const handoff = shapeReply(
      { handoff: { reason: "billing" }, text: "A person will answer." },
      { ...base, channel: "chat" },
    );
    expect(handoff.handoffReason).toBe("billing");
    expect(handoff.replies).toEqual([{ body: "A person will answer." }]);
  });

  it("sends an agent's template as its own message and media URLs as links", () => {
    const shaped = shapeReply(
      {
        text: "See the map",
        media: [{ url: "https://example.com/map.png" }],
        template: { contentSid: "HX00000000000000000000000000000002" },
      },
      { ...base, channel: "chat" },
    );
    expect(shaped.replies).toEqual([
      { body: "See the map\nhttps://example.com/map.png" },
      { body: null, template: { contentSid: "HX00000000000000000000000000000002", variables: {} } },
    ]);
  });
});
