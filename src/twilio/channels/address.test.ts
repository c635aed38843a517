import { describe, expect, it } from "vitest";
import { InvalidAddressError } from "../errors.js";
import {
  channelOfAddress,
  channelOfMessagingBinding,
  channelOfWebhookMessage,
  maskAddress,
  normalizePhoneNumber,
  toWhatsAppAddress,
} from "./address.js";

describe("channelOfAddress", () => {
  it.each([
    ["+15551230001", "sms"],
    ["whatsapp:+15551230001", "whatsapp"],
    ["WhatsApp:+15551230001", "whatsapp"],
    ["alice", "chat"],
    ["alice@example.com", "chat"],
    ["15551230001", "chat"],
  ])("%s → %s", (address, channel) => {
    expect(channelOfAddress(address)).toBe(channel);
  });
});

describe("normalizePhoneNumber", () => {
  it.each([
    ["+1 (555) 123-0001", "+15551230001"],
    ["0044 20 7946 0958", "+442079460958"],
    ["+44.20.7946.0958", "+442079460958"],
    ["whatsapp:+1 555 123 0001", "whatsapp:+15551230001"],
    ["WHATSAPP:+15551230001", "whatsapp:+15551230001"],
  ])("%s → %s", (input, expected) => {
    expect(normalizePhoneNumber(input)).toBe(expected);
  });

  it.each(["5551230001", "+0123456789", "+1234567890123456", "+1555abc0001", "", "whatsapp:"])(
    "rejects %j with a clear error that does not echo the full number",
    (input) => {
      expect(() => normalizePhoneNumber(input)).toThrow(InvalidAddressError);
      try {
        normalizePhoneNumber(input);
      } catch (error) {
        expect((error as Error).message).toMatch(/E\.164/);
        if (input.length > 10) expect((error as Error).message).not.toContain(input);
      }
    },
  );
});

describe("toWhatsAppAddress", () => {
  it("adds the prefix only where missing", () => {
    expect(toWhatsAppAddress("+15551230001")).toBe("whatsapp:+15551230001");
    expect(toWhatsAppAddress("whatsapp:+15551230001")).toBe("whatsapp:+15551230001");
    expect(() => toWhatsAppAddress("alice")).toThrow(InvalidAddressError);
  });
});

describe("maskAddress", () => {
  it.each([
    ["+15551230001", "+1555***0001"],
    ["whatsapp:+15551230001", "whatsapp:+1555***0001"],
    ["+4412", "+4***12"],
    ["alice@example.com", "al***om"],
    ["bob", "***"],
  ])("%s → %s", (address, masked) => {
    expect(maskAddress(address)).toBe(masked);
  });
});

describe("channel of participants and messages", () => {
  it("reads a REST messaging_binding", () => {
    expect(channelOfMessagingBinding(null)).toBe("chat");
    expect(
      channelOfMessagingBinding({
        type: "sms",
        address: "+15551230001",
        proxy_address: "+15017122661",
      }),
    ).toBe("sms");
    expect(channelOfMessagingBinding({ type: "whatsapp", address: "whatsapp:+15551230001" })).toBe(
      "whatsapp",
    );
    expect(channelOfMessagingBinding({ address: "whatsapp:+15551230001" })).toBe("whatsapp");
    expect(channelOfMessagingBinding({ type: "messenger", address: "messenger:123" })).toBe("chat");
  });

  it("reads a webhook Source and Author", () => {
    expect(channelOfWebhookMessage("SMS", "+15551230001")).toBe("sms");
    expect(channelOfWebhookMessage("WHATSAPP", "whatsapp:+15551230001")).toBe("whatsapp");
    expect(channelOfWebhookMessage("SDK", "alice")).toBe("chat");
    expect(channelOfWebhookMessage("API", "whatsapp:+15551230001")).toBe("whatsapp");
    expect(channelOfWebhookMessage("API", "system")).toBeUndefined();
    expect(channelOfWebhookMessage(undefined, undefined)).toBeUndefined();
  });
});
