import { describe, expect, it } from "vitest";
import type { ConsoleConversation, ConsoleMessage } from "../console-deps.js";
import { LiveOverlay } from "./live-overlay.js";

const conversation = (fields: Partial<ConsoleConversation> = {}) =>
  ({ sid: "CH1", typing: false, ...fields }) as ConsoleConversation;
const message = (index: number, body: string): ConsoleMessage => ({
  role: "customer",
  author: "+15551230001",
  body,
  media: [],
  index,
  at: `2026-12-06T10:0${index}:00.000Z`,
});

describe("LiveOverlay", () => {
  it("keeps a typing event that arrived while the snapshot was in flight", () => {
    const overlay = new LiveOverlay();
    const mark = overlay.mark();
    overlay.typing("CH1", true);
    expect(overlay.conversation(conversation(), mark).typing).toBe(true);
    // Another conversation's event changes nothing here.
    expect(overlay.conversation(conversation({ sid: "CH2" }), mark).typing).toBe(false);
  });

  it("trusts a snapshot requested after the last live event", () => {
    const overlay = new LiveOverlay();
    overlay.typing("CH1", true);
    const mark = overlay.mark();
    const snapshot = conversation({ typing: false });
    expect(overlay.conversation(snapshot, mark)).toBe(snapshot);
  });

  it("merges the live messages newer than the mark into the snapshot, in order", () => {
    const overlay = new LiveOverlay();
    overlay.message("CH1", message(0, "old"));
    const mark = overlay.mark();
    overlay.message("CH1", message(2, "live"));
    overlay.message("CH2", message(5, "elsewhere"));
    const merged = overlay.messages("CH1", [message(0, "old"), message(1, "served")], mark);
    expect(merged.map((m) => m.body)).toEqual(["old", "served", "live"]);
  });

  it("keeps a state change (a dead letter, with its reason) that arrived meanwhile", () => {
    const overlay = new LiveOverlay();
    const mark = overlay.mark();
    overlay.state("CH1", "dead", "the agent failed again");
    expect(overlay.conversation(conversation({ state: "bot" }), mark)).toMatchObject({
      state: "dead",
      deadLetterReason: "the agent failed again",
    });
    overlay.state("CH1", "gone", "20404 from Twilio");
    expect(overlay.conversation(conversation({ state: "bot" }), mark)).toMatchObject({
      state: "gone",
      goneReason: "20404 from Twilio",
    });
  });
});
