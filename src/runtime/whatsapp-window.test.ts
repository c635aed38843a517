import { describe, expect, it } from "vitest";
import { isWhatsAppWindowOpen } from "../twilio/channels/shape-for-channel.js";
import { shapeReply } from "./reply-shaping.js";

const now = Date.parse("2026-05-18T12:00:00Z");
const hour = 60 * 60 * 1000;
const template = { contentSid: "HX00000000000000000000000000000001", variables: { "1": "x" } };
const context = {
  channel: "whatsapp" as const,
  now,
  smsMarkers: false,
  whatsappTemplate: template,
};

describe("the one WhatsApp-window rule", () => {
  it("is open for 24 hours after the customer's last message, as Date or epoch ms", () => {
    expect(isWhatsAppWindowOpen(now - 24 * hour + 1, now)).toBe(true);
    expect(isWhatsAppWindowOpen(new Date(now - 24 * hour + 1), new Date(now))).toBe(true);
    expect(isWhatsAppWindowOpen(now - 24 * hour, now)).toBe(false);
  });

  it("counts an unknown last contact as closed, in Twilio code and in reply shaping alike", () => {
    expect(isWhatsAppWindowOpen(null, now)).toBe(false);
    expect(isWhatsAppWindowOpen(undefined, now)).toBe(false);
    // The runtime used to treat an unknown contact as open; now it sends the template.
    const shaped = shapeReply({ text: "We open at nine." }, { ...context, lastInboundAt: null });
    expect(shaped.usedTemplate).toBe(true);
    expect(shaped.replies).toEqual([
      expect.objectContaining({
        body: null,
        template: { contentSid: template.contentSid, variables: { "1": "x" } },
      }),
    ]);
    const open = shapeReply(
      { text: "We open at nine." },
      { ...context, lastInboundAt: now - hour },
    );
    expect(open.usedTemplate).toBe(false);
    expect(open.replies[0]?.body).toBe("We open at nine.");
  });
});
