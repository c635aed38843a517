import { describe, expect, it } from "vitest";
import { InvalidReplyError } from "./agent-errors.js";
import { normalizeReply } from "./normalize-reply.js";

const choices = {
  type: "quick-replies",
  body: "Which day?",
  options: [
    { id: "fri", title: "Friday" },
    { id: "sat", title: "Saturday" },
  ],
} as const;
const transcript = { messageSid: "IM1", mediaIndex: 0, mediaSid: "ME1", text: "open Sunday?" };

describe("normalizeReply: choices, transcripts and handoff summaries", () => {
  it("keeps choices, alone or with text", () => {
    expect(normalizeReply({ choices })).toEqual({ choices });
    expect(normalizeReply({ text: "Pick one", choices })).toEqual({ text: "Pick one", choices });
  });

  it("keeps transcripts on every kind of reply", () => {
    expect(normalizeReply({ text: "Yes", transcripts: [transcript] })).toEqual({
      text: "Yes",
      transcripts: [transcript],
    });
    expect(normalizeReply({ skip: true, transcripts: [transcript] })).toEqual({
      skip: true,
      transcripts: [transcript],
    });
    expect(normalizeReply({ handoff: { reason: "asked" }, transcripts: [transcript] })).toEqual({
      handoff: { reason: "asked" },
      transcripts: [transcript],
    });
  });

  it("keeps a handoff summary, and drops a blank one", () => {
    expect(normalizeReply({ handoff: { reason: "asked", summary: "Wants a refund." } })).toEqual({
      handoff: { reason: "asked", summary: "Wants a refund." },
    });
    expect(normalizeReply({ handoff: { reason: "asked", summary: " " } })).toEqual({
      handoff: { reason: "asked" },
    });
  });

  it.each([
    ["choices of an unknown type", { choices: { type: "carousel" } }],
    ["quick replies without options", { choices: { type: "quick-replies", body: "x" } }],
    ["a card without actions", { choices: { type: "card", title: "x" } }],
    ["transcripts that are not an array", { text: "x", transcripts: "hi" }],
    [
      "a transcript without its message",
      { text: "x", transcripts: [{ mediaIndex: 0, text: "a" }] },
    ],
    ["a non-string summary", { handoff: { reason: "asked", summary: 5 } }],
  ])("rejects %s", (_, value) => {
    expect(() => normalizeReply(value)).toThrow(InvalidReplyError);
  });
});
