import { describe, expect, it } from "vitest";
import type { DeliveryStatus, MessageRecord, ReceiptRecord } from "../store/records.js";
import { deliverySummary } from "./delivery-summary.js";

function message(...statuses: DeliveryStatus[]): MessageRecord {
  const receipts = new Map<string, ReceiptRecord>();
  statuses.forEach((status, index) => {
    const sid = `DY${String(index).padStart(32, "0")}`;
    receipts.set(sid, {
      sid,
      conversationSid: `CH${"0".repeat(32)}`,
      messageSid: `IM${"0".repeat(32)}`,
      participantSid: `MB${String(index).padStart(32, "0")}`,
      channelMessageSid: `SM${String(index).padStart(32, "0")}`,
      status,
      errorCode: 0,
      dateCreated: 0,
      dateUpdated: 0,
    });
  });
  return { receipts } as MessageRecord;
}

describe("deliverySummary", () => {
  it("is null without SMS/WhatsApp recipients", () => {
    expect(deliverySummary(message())).toBeNull();
  });

  it("counts statuses cumulatively: read was delivered and sent, undelivered was sent", () => {
    expect(deliverySummary(message("read", "delivered", "undelivered"))).toEqual({
      total: 3,
      sent: "all",
      delivered: "some",
      read: "some",
      undelivered: "some",
      failed: "none",
    });
    expect(deliverySummary(message("failed", "sent"))).toEqual({
      total: 2,
      sent: "some",
      delivered: "none",
      read: "none",
      undelivered: "none",
      failed: "some",
    });
  });
});
