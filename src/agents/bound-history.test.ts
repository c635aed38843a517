import { describe, expect, it } from "vitest";
import { boundHistory } from "./bound-history.js";
import { toModelMessages } from "./to-model-messages.js";
import type { HistoryMessage, Turn } from "./types.js";

const message = (
  role: HistoryMessage["role"],
  text: string,
  messageSid?: string,
): HistoryMessage => ({
  role,
  text,
  dateCreated: new Date(0),
  ...(messageSid === undefined ? {} : { messageSid }),
});

describe("boundHistory", () => {
  const history = Array.from({ length: 30 }, (_, position) => message("customer", `m${position}`));

  it("keeps the newest messages, oldest first", () => {
    expect(boundHistory(history, { maxMessages: 3 }).map((entry) => entry.text)).toEqual([
      "m27",
      "m28",
      "m29",
    ]);
    expect(boundHistory(history)).toHaveLength(20);
    expect(boundHistory([], { maxMessages: 5 })).toEqual([]);
  });

  it("stops at the character budget without cutting a message or leaving a gap", () => {
    const mixed = [
      message("customer", "a".repeat(50)),
      message("agent", "b".repeat(500)),
      message("customer", "c".repeat(10)),
    ];
    expect(boundHistory(mixed, { maxCharacters: 100 }).map((entry) => entry.text)).toEqual([
      "c".repeat(10),
    ]);
    expect(boundHistory(mixed, { maxCharacters: 5 })).toEqual([]);
  });
});

describe("toModelMessages", () => {
  const turn: Turn = {
    conversationSid: "CH1",
    messages: [
      { messageSid: "IM9", index: 9, body: "and e-bikes?", media: [], dateCreated: new Date(0) },
    ],
    text: "and e-bikes?",
    channel: "whatsapp",
    author: "whatsapp:+15551230001",
    media: [{ contentType: "image/jpeg", filename: "bike.jpg" }],
  };

  it("maps customer to user and agent/staff to assistant, merging runs, turn last", () => {
    const messages = toModelMessages(
      [
        message("agent", "Welcome!"),
        message("customer", "do you rent"),
        message("customer", "bikes?"),
        message("agent", "Yes."),
        message("human", "Hi, Sam here."),
        message("customer", "and e-bikes?", "IM9"),
      ],
      turn,
    );
    expect(messages).toEqual([
      { role: "assistant", content: "Welcome!" },
      { role: "user", content: "do you rent\n\nbikes?" },
      { role: "assistant", content: "Yes.\n\n[staff member] Hi, Sam here." },
      { role: "user", content: "and e-bikes?\n[attached: bike.jpg]" },
    ]);
  });

  it("never sends an empty user message", () => {
    const empty: Turn = { ...turn, text: "", media: [] };
    expect(toModelMessages([], empty)).toEqual([{ role: "user", content: "(empty message)" }]);
  });
});
