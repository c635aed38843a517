import { describe, expect, it } from "vitest";
import { parseWebhookEvent } from "../twilio/webhook/parse-webhook-event.js";
import { signedWebhookRequest } from "../twilio/webhook/webhook-fixtures.js";
import { type Identities, inboundFromEvent, isSameAddress, roleOf } from "./inbound-from-event.js";

const identities: Identities = {
  botAuthor: "switchboard",
  botIdentities: new Set(["other-bot"]),
  humanIdentities: new Set(["ada@example.com"]),
};

describe("roleOf", () => {
  it("never treats our own sends, system messages or other bots as the customer", () => {
    expect(roleOf("switchboard", {}, identities, "sms")).toBe("bot");
    expect(roleOf("+15551230001", { switchboardReplyId: "IM1.r0" }, identities, "sms")).toBe("bot");
    expect(roleOf("+15551230001", '{"switchboardReplyId":"IM1.r0"}', identities, "sms")).toBe(
      "bot",
    );
    expect(roleOf("system", {}, identities, "chat")).toBe("bot");
    expect(roleOf(null, {}, identities, "chat")).toBe("bot");
    expect(roleOf("other-bot", {}, identities, "chat")).toBe("bot");
  });

  it("treats a message authored by the conversation's proxy address (our number) as a bot", () => {
    expect(roleOf("+15017122661", {}, identities, "sms", "+15017122661")).toBe("bot");
    expect(
      roleOf("whatsapp:+15017122661", {}, identities, "whatsapp", "whatsapp:+1 501 712 2661"),
    ).toBe("bot");
    // The customer stays the customer; an SMS number is not its WhatsApp sender.
    expect(roleOf("+15551230001", {}, identities, "sms", "+15017122661")).toBe("customer");
    expect(roleOf("whatsapp:+15017122661", {}, identities, "whatsapp", "+15017122661")).toBe(
      "customer",
    );
    expect(roleOf("+15551230001", {}, identities, "sms", null)).toBe("customer");
    expect(isSameAddress("+15017122661", "")).toBe(false);
  });

  it("recognises operators: configured identities, and chat identities in SMS/WhatsApp conversations", () => {
    expect(roleOf("ada@example.com", {}, identities, "chat")).toBe("human");
    expect(roleOf("grace", {}, identities, "whatsapp")).toBe("human");
    expect(roleOf("grace", {}, identities, "chat")).toBe("customer");
    expect(roleOf("+15551230001", {}, identities, "sms")).toBe("customer");
    expect(roleOf("whatsapp:+15551230001", {}, identities, undefined)).toBe("customer");
  });
});

describe("inboundFromEvent", () => {
  const url = "https://example.com/twilio/webhook";
  const parse = async (fields: Record<string, string | undefined>, token?: string) => {
    const signed = signedWebhookRequest({
      url,
      authToken: "token",
      fields,
      ...(token === undefined ? {} : { idempotencyToken: token }),
    });
    const event = await parseWebhookEvent(
      { url, headers: signed.headers, body: signed.body },
      { authToken: "token", url },
    );
    if (event.type !== "message.new") throw new Error("expected message.new");
    return event;
  };

  it("maps an SMS customer message with its idempotency token and customer address", async () => {
    const event = await parse({ Index: "7", Body: "hi" }, "token-1");
    const inbound = inboundFromEvent(event, identities, undefined, 1000);
    expect(inbound).toMatchObject({
      conversationSid: "CH00000000000000000000000000000001",
      messageSid: "IM00000000000000000000000000000002",
      index: 7,
      body: "hi",
      role: "customer",
      channel: "sms",
      source: "SMS",
      idempotencyToken: "token-1",
      customerAddress: "+15551230001",
      receivedAt: 1000,
    });
  });

  it("keeps the conversation's channel for an operator writing from chat", async () => {
    const event = await parse({ Author: "ada@example.com", Source: "SDK" });
    const inbound = inboundFromEvent(event, identities, "whatsapp", 0);
    expect(inbound.role).toBe("human");
    expect(inbound.channel).toBe("whatsapp");
    expect(inbound.customerAddress).toBeUndefined();
  });

  it("keeps the proxy address on the record, and classifies our number's messages as bot", async () => {
    const customerEvent = await parse({ Index: "1", Body: "hi" });
    expect(inboundFromEvent(customerEvent, identities, undefined, 0, "+15017122661")).toMatchObject(
      { role: "customer", proxyAddress: "+15017122661", customerAddress: "+15551230001" },
    );
    const echo = await parse({ Index: "2", Author: "+15017122661", Body: "promo" });
    const inbound = inboundFromEvent(echo, identities, undefined, 0, "+15017122661");
    expect(inbound.role).toBe("bot");
    expect(inbound.customerAddress).toBeUndefined();
  });

  it("keeps non-JSON attributes visible instead of dropping them", async () => {
    const event = await parse({ Attributes: "not json" });
    expect(inboundFromEvent(event, identities, undefined, 0).attributes).toEqual({
      raw: "not json",
    });
  });
});
