import { describe, expect, it } from "vitest";
import { inboundDedupeKeys, outboxSettlement, settlementNotifies } from "./outbox-settle.js";
import { completeNotices, ingestNotices } from "./work-notices.js";

describe("outboxSettlement", () => {
  const sending = { status: "sending" as const, claim_version: 2 };
  it("records a sent message even from an expired claim, once", () => {
    expect(
      outboxSettlement({ ...sending, claim_version: 9 }, 2, { sent: true, messageSid: "IM" }),
    ).toBe("sent");
    expect(
      outboxSettlement({ status: "sent", claim_version: 2 }, 2, { sent: true, messageSid: "IM" }),
    ).toBe("already-sent");
  });

  it("writes retries and failures only from the current claim", () => {
    expect(outboxSettlement(sending, 2, { retryAt: 1, error: "x" })).toBe("retry");
    expect(outboxSettlement(sending, 2, { failed: true, error: "x" })).toBe("failed");
    expect(outboxSettlement(sending, 1, { failed: true, error: "x" })).toBe("stale");
    expect(
      outboxSettlement({ status: "pending", claim_version: 2 }, 2, { retryAt: 1, error: "x" }),
    ).toBe("stale");
  });

  it("wakes the sender only when the next reply may be unblocked", () => {
    expect(settlementNotifies("sent")).toBe(true);
    expect(settlementNotifies("failed")).toBe(true);
    expect(settlementNotifies("retry")).toBe(false);
    expect(settlementNotifies("already-sent")).toBe(false);
  });

  it("dedupes by idempotency token first, then by SID", () => {
    expect(inboundDedupeKeys({ messageSid: "IM1" })).toEqual(["sid:IM1"]);
    expect(inboundDedupeKeys({ messageSid: "IM1", idempotencyToken: "t" })).toEqual([
      "token:t",
      "sid:IM1",
    ]);
  });
});

describe("work notices", () => {
  it("wakes workers at ingest and again when the settle or burst window ends", () => {
    const notice = { kind: "turn", conversationSid: "CH1" };
    expect(ingestNotices("CH1", { mode: "queue" }, 150)).toEqual([
      { notice },
      { notice, delayMs: 150 },
    ]);
    expect(ingestNotices("CH1", { mode: "burst", windowMs: 2_000 }, 150)).toEqual([
      { notice },
      { notice, delayMs: 2_000 },
    ]);
    expect(ingestNotices("CH1", { mode: "queue" }, 0)).toEqual([{ notice }]);
  });

  it("a completed turn wakes the sender for its replies and the worker unless handed off", () => {
    expect(completeNotices("CH1", 2, false)).toEqual([
      { kind: "outbox", conversationSid: "CH1" },
      { kind: "turn", conversationSid: "CH1" },
    ]);
    expect(completeNotices("CH1", 0, true)).toEqual([]);
  });
});
