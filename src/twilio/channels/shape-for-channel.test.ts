import { describe, expect, it } from "vitest";
import { isWhatsAppWindowOpen, shapeForChannel, WHATSAPP_WINDOW_MS } from "./shape-for-channel.js";

const reply =
  "## Rentals\n\n**City bike:** $12 per hour. See [prices](https://bikes.example/prices).";

describe("shapeForChannel", () => {
  it("SMS: plain text with segment counts", () => {
    const shaped = shapeForChannel("sms", reply);
    expect(shaped.parts).toEqual([
      "Rentals\n\nCity bike: $12 per hour. See prices (https://bikes.example/prices).",
    ]);
    expect(shaped.segments).toEqual([
      { encoding: "GSM-7", segments: 1, characters: 76, units: 76 },
    ]);
  });

  it("WhatsApp: WhatsApp formatting, no segments", () => {
    expect(shapeForChannel("whatsapp", reply)).toEqual({
      parts: ["*Rentals*\n\n*City bike:* $12 per hour. See prices (https://bikes.example/prices)."],
    });
  });

  it("chat: unchanged up to 32 KB, split beyond", () => {
    expect(shapeForChannel("chat", reply)).toEqual({ parts: [reply] });
    const big = "Lorem ipsum dolor sit amet. ".repeat(2000);
    const parts = shapeForChannel("chat", big).parts;
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts)
      expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(32 * 1024);
    expect(parts.join(" ")).toBe(big.trim());
  });

  it("splits long SMS and WhatsApp replies at 1600 characters with optional markers", () => {
    const long = "This sentence is here to be long enough. ".repeat(100);
    for (const channel of ["sms", "whatsapp"] as const) {
      const shaped = shapeForChannel(channel, long, { markers: true });
      expect(shaped.parts.length).toBe(3);
      for (const [position, part] of shaped.parts.entries()) {
        expect(part.length).toBeLessThanOrEqual(1600);
        expect(part.endsWith(`(${position + 1}/3)`)).toBe(true);
      }
    }
    expect(shapeForChannel("sms", long).segments?.length).toBe(3);
  });

  it("honours a lower limit but never a higher one", () => {
    expect(shapeForChannel("sms", "one two three four", { limit: 9 }).parts).toEqual([
      "one two",
      "three",
      "four",
    ]);
    const long = "word ".repeat(500);
    expect(
      shapeForChannel("sms", long, { limit: 5000 }).parts.every((part) => part.length <= 1600),
    ).toBe(true);
  });

  it("gives no parts for blank replies and rejects unknown channels", () => {
    expect(shapeForChannel("sms", "  \n ")).toEqual({ parts: [], segments: [] });
    expect(shapeForChannel("chat", "")).toEqual({ parts: [] });
    expect(() => shapeForChannel("fax" as never, "hi")).toThrow(TypeError);
  });
});

describe("isWhatsAppWindowOpen", () => {
  const now = new Date("2026-01-02T12:00:00Z");
  it("is open within 24 hours of the last inbound message, closed after or when unknown", () => {
    expect(isWhatsAppWindowOpen(new Date(now.getTime() - WHATSAPP_WINDOW_MS + 1), now)).toBe(true);
    expect(isWhatsAppWindowOpen(new Date(now.getTime() - WHATSAPP_WINDOW_MS), now)).toBe(false);
    expect(isWhatsAppWindowOpen(undefined, now)).toBe(false);
  });
});

describe("shapeForChannel: SMS cost-aware shaping", () => {
  const curly =
    "We\u2019re open 9\u201317 \u2014 \u201Cwalk-ins\u201D welcome\u2026 Bring your bike\u2019s frame number, and we\u2019ll check the part for you.";

  it("sends a reply full of curly quotes as GSM-7, in fewer segments", () => {
    const shaped = shapeForChannel("sms", curly);
    expect(shaped.parts).toEqual([
      "We're open 9-17 - \"walk-ins\" welcome... Bring your bike's frame number, and we'll check the part for you.",
    ]);
    expect(shaped.segments?.[0]).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(shapeForChannel("sms", curly, { preferGsm7: false }).segments?.[0]).toMatchObject({
      encoding: "UCS-2",
      segments: 2,
    });
  });

  it("keeps an emoji reply UCS-2 and unchanged", () => {
    const emoji = "Thanks \u2014 see you soon \u{1F6B2}";
    const shaped = shapeForChannel("sms", emoji);
    expect(shaped.parts).toEqual([emoji]);
    expect(shaped.segments?.[0]?.encoding).toBe("UCS-2");
  });

  it("maps each part on its own when only one part needs UCS-2", () => {
    const sentence = "It\u2019s a long sentence about bikes and opening hours. ";
    const text = `${sentence.repeat(30)}\u{1F6B2}`;
    const shaped = shapeForChannel("sms", text, { limit: 800 });
    expect(shaped.parts.length).toBeGreaterThan(1);
    expect(shaped.segments?.[0]?.encoding).toBe("GSM-7");
    expect(shaped.segments?.at(-1)?.encoding).toBe("UCS-2");
    expect(shaped.parts.at(-1)).toContain("\u2019");
    for (const part of shaped.parts) expect(part.length).toBeLessThanOrEqual(800);
  });

  it("leaves WhatsApp and chat text as written", () => {
    expect(shapeForChannel("whatsapp", curly).parts).toEqual([curly]);
    expect(shapeForChannel("chat", curly).parts).toEqual([curly]);
  });
});
