import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../mailbox/mailbox-store.js";
import { answeredElsewhere } from "./answered-elsewhere.js";

const inbound = (index: number, role: string, replyId?: string) =>
  ({
    direction: "inbound",
    index,
    role,
    attributes: replyId === undefined ? {} : { switchboardReplyId: replyId },
  }) as unknown as HistoryEntry;
const outbound = (replyId: string) =>
  ({ direction: "outbound", replyId, afterIndex: 0 }) as unknown as HistoryEntry;

describe("answeredElsewhere", () => {
  const turn = [{ index: 3 }, { index: 4 }];

  it("names a reply above the turn's last message that this mailbox never queued", () => {
    expect(
      answeredElsewhere(turn, [
        inbound(3, "customer"),
        inbound(4, "customer"),
        inbound(5, "bot", "IMa.r0"),
      ]),
    ).toBe("IMa.r0");
  });

  it("ignores our own replies, replies below the turn's last message, and bots without a reply id", () => {
    expect(
      answeredElsewhere(turn, [inbound(6, "bot", "IMa.r0"), outbound("IMa.r0")]),
    ).toBeUndefined();
    expect(answeredElsewhere(turn, [inbound(4, "bot", "IMb.r0")])).toBeUndefined();
    expect(answeredElsewhere(turn, [inbound(7, "bot")])).toBeUndefined();
    expect(answeredElsewhere(turn, [inbound(7, "customer", "IMc.r0")])).toBeUndefined();
    expect(answeredElsewhere([], [inbound(7, "bot", "IMd.r0")])).toBeUndefined();
  });
});
