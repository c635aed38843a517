import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../mailbox/mailbox-store.js";
import { deliveryOf, whatsappWindowOf } from "./console-delivery.js";

type Outbound = Extract<HistoryEntry, { direction: "outbound" }>;
const reply = (overrides: Partial<Outbound>): Outbound => ({
  direction: "outbound",
  replyId: "IM1.r0",
  turnId: "IM1",
  afterIndex: 0,
  body: "hi",
  media: [],
  template: null,
  status: "sent",
  messageSid: "IM2",
  createdAt: 0,
  attempts: 1,
  lastError: null,
  attributes: {},
  ...overrides,
});

describe("deliveryOf", () => {
  it("shows a reply that keeps failing with its attempts and last error, not just pending", () => {
    expect(deliveryOf(reply({ status: "pending", attempts: 0 }), undefined)).toEqual({
      status: "pending",
    });
    expect(
      deliveryOf(reply({ status: "pending", attempts: 3, lastError: "Twilio 503" }), undefined),
    ).toEqual({ status: "retrying", attempts: 3, lastError: "Twilio 503" });
  });

  it("explains receipts' failures and a local opt-out refusal like Twilio's 21610", () => {
    const undelivered = deliveryOf(reply({}), {
      messageSid: "IM2",
      conversationSid: "CH1",
      status: "undelivered",
      errorCode: 63016,
      channel: "whatsapp",
      updatedAt: 0,
      recordedAt: 0,
    });
    expect(undelivered.failure).toMatchObject({
      code: 63016,
      action: expect.stringMatching(/template/i),
    });
    const refused = deliveryOf(
      reply({
        status: "failed",
        lastError:
          'opted-out: the customer opted out (they sent "STOP"); switchboard did not send this.',
      }),
      undefined,
    );
    expect(refused.failure).toMatchObject({ code: 21610 });
    expect(refused.failure?.explanation).toMatch(/^the customer opted out/);
    expect(deliveryOf(reply({}), undefined)).toEqual({ status: "queued" });
  });
});

describe("whatsappWindowOf", () => {
  it("is open for 24 hours after the customer's last message", () => {
    const record = { lastInboundAt: 1_000 } as Parameters<typeof whatsappWindowOf>[0];
    expect(whatsappWindowOf(record, 1_000 + 23 * 3_600_000, true).open).toBe(true);
    expect(whatsappWindowOf(record, 1_000 + 24 * 3_600_000, false)).toMatchObject({
      open: false,
      templateAvailable: false,
    });
  });
});
