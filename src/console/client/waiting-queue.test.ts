// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { ConsoleConversation } from "../console-deps.js";
import { sortConversations, waitingLabel } from "./conversation-filter.js";
import { handoffSummaryElement } from "./handoff-summary-view.js";

const now = new Date("2026-12-07T10:30:00Z");
const conversation = (sid: string, updatedAt: string, since?: string): ConsoleConversation => ({
  sid,
  channel: "sms",
  customer: `+1555000${sid.slice(-4)}`,
  state: since === undefined ? "bot" : "human",
  lastMessage: null,
  updatedAt,
  typing: false,
  ...(since === undefined
    ? {}
    : { handoff: { reason: "keyword", source: "keyword" as const, summary: "s", since } }),
});

describe("the waiting-for-a-person queue in the console", () => {
  const list = [
    conversation("CH0001", "2026-12-07T10:29:00Z"),
    conversation("CH0002", "2026-12-07T10:20:00Z", "2026-12-07T10:10:00Z"),
    conversation("CH0003", "2026-12-07T10:25:00Z", "2026-12-07T09:00:00Z"),
    conversation("CH0004", "2026-12-07T10:28:00Z"),
  ];

  it("sorts by newest activity, or puts the longest waiting first", () => {
    expect(sortConversations(list).map((entry) => entry.sid)).toEqual([
      "CH0001",
      "CH0004",
      "CH0003",
      "CH0002",
    ]);
    expect(sortConversations(list, "waiting").map((entry) => entry.sid)).toEqual([
      "CH0003",
      "CH0002",
      "CH0001",
      "CH0004",
    ]);
  });

  it("labels the age of the wait, only for conversations a person holds", () => {
    expect(waitingLabel(list[1]!, now)).toBe("waiting 20 min");
    expect(waitingLabel(list[2]!, now)).toBe("waiting 2 h");
    expect(waitingLabel(list[0]!, now)).toBeUndefined();
  });

  it("shows the handoff summary as text, with why and since when", () => {
    const element = handoffSummaryElement(
      {
        reason: "refund over the limit",
        source: "agent",
        summary: "Customer: <b>refund</b> 900 EUR?\nAnswered: checking.",
        since: "2026-12-07T10:18:00Z",
      },
      now,
    );
    expect(element.querySelector("strong")?.textContent).toBe(
      "Waiting for 12 min · the bot handed it over (refund over the limit)",
    );
    const text = element.querySelector(".summary-text");
    expect(text?.textContent).toBe("Customer: <b>refund</b> 900 EUR?\nAnswered: checking.");
    expect(text?.querySelector("b")).toBeNull();
  });
});
