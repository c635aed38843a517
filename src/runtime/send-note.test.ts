import { describe, expect, it } from "vitest";
import { parseSendNote, withSendNote } from "./outbox-sender.js";

describe("the sender's note in lastError", () => {
  it("round-trips through the stored error text", () => {
    const stored = withSendNote("HTTP 429: Too Many Requests", {
      attempt: 7,
      throttled: 6,
      outcome: "unsent",
    });
    expect(stored.startsWith("HTTP 429: Too Many Requests")).toBe(true);
    expect(parseSendNote(stored)).toEqual({ attempt: 7, throttled: 6, outcome: "unsent" });
  });

  it("reads nothing from errors it did not write, forged or truncated notes", () => {
    expect(parseSendNote(null)).toBeUndefined();
    expect(parseSendNote("socket hang up")).toBeUndefined();
    expect(parseSendNote("x [send attempt=1 throttled=0 outcome=maybe]")).toBeUndefined();
    expect(parseSendNote("x [send attempt=1 throttled=0 outcome=unsent")).toBeUndefined();
    expect(parseSendNote("[send attempt=-1 throttled=0 outcome=unsent]")).toBeUndefined();
    // Only the note at the end counts: an error text quoting one is not trusted.
    expect(
      parseSendNote("[send attempt=1 throttled=9 outcome=unsent] then: connection reset"),
    ).toBeUndefined();
  });
});
