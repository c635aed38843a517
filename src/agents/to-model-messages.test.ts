import { describe, expect, it } from "vitest";
import { toModelMessages } from "./to-model-messages.js";
import type { HistoryMessage, Turn } from "./types.js";

const turn = {
  text: "still free?",
  media: [],
  messages: [{ messageSid: "IM-turn" }],
} as unknown as Turn;

describe("toModelMessages", () => {
  it("labels messages from the customer's other channels with the channel and the time", () => {
    const history: HistoryMessage[] = [
      {
        role: "customer",
        text: "Is the e-bike free on Saturday?",
        dateCreated: new Date(Date.UTC(2026, 0, 2, 9, 30)),
        elsewhere: { channel: "chat", conversationSid: "CH-chat" },
      },
      {
        role: "agent",
        text: "Yes, it is.",
        dateCreated: new Date(Date.UTC(2026, 0, 2, 9, 31)),
        elsewhere: { channel: "chat", conversationSid: "CH-chat" },
      },
      { role: "customer", text: "thanks", dateCreated: new Date(Date.UTC(2026, 0, 3)) },
    ];
    expect(toModelMessages(history, turn)).toEqual([
      {
        role: "user",
        content: "[on web chat, 2026-01-02 09:30 UTC] Is the e-bike free on Saturday?",
      },
      { role: "assistant", content: "[on web chat, 2026-01-02 09:31 UTC] Yes, it is." },
      { role: "user", content: "thanks\n\nstill free?" },
    ]);
  });

  it("labels without a time when the date is invalid", () => {
    const [line] = toModelMessages(
      [
        {
          role: "customer",
          text: "hi",
          dateCreated: new Date(Number.NaN),
          elsewhere: { channel: "sms", conversationSid: "CH-sms" },
        },
      ],
      turn,
    );
    expect(line?.content).toBe("[on SMS] hi\n\nstill free?");
  });
});
