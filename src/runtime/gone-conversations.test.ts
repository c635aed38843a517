import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import {
  ConversationClosedError,
  NotFoundError,
  ServiceNotFoundError,
  TwilioApiError,
} from "../twilio/errors.js";
import { goneReason, isConversationGoneError, markConversationGone } from "./gone-conversations.js";
import { SwitchboardEvents } from "./switchboard-events.js";

describe("isConversationGoneError", () => {
  it("reads a 404 on a conversation as gone, and nothing else", () => {
    expect(isConversationGoneError(new NotFoundError("messages.list failed"))).toBe(true);
    expect(isConversationGoneError(new TwilioApiError("gone", { status: 404 }))).toBe(true);
    expect(isConversationGoneError(new SwitchboardError("conversation_gone", "gone"))).toBe(true);
    // A wrong service SID is a misconfiguration: never mark conversations gone for it.
    expect(isConversationGoneError(new ServiceNotFoundError("IS1"))).toBe(false);
    expect(isConversationGoneError(new ConversationClosedError("CH1"))).toBe(false);
    expect(isConversationGoneError(new TwilioApiError("oops", { status: 500 }))).toBe(false);
    // Without the switchboard marker a status proves nothing.
    expect(isConversationGoneError({ status: 404, code: "not_found" })).toBe(false);
    expect(isConversationGoneError(new Error("404"))).toBe(false);
  });
});

describe("markConversationGone", () => {
  it("marks once: one warn line without the error object, one event", async () => {
    const mailbox = sqliteMailbox({ path: ":memory:", writerThread: false });
    const events = new SwitchboardEvents();
    const seen: unknown[] = [];
    events.on("conversation.gone", (event) => seen.push(event));
    const warnings: Record<string, unknown>[] = [];
    const ignore = () => {};
    const logger = {
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (fields: Record<string, unknown>) => warnings.push(fields),
    };
    const error = new NotFoundError("messages.list failed: not found");
    try {
      expect(await markConversationGone({ mailbox, events, logger }, "CH1", error)).toBe(true);
      expect(await markConversationGone({ mailbox, events, logger }, "CH1", error)).toBe(false);
      expect(warnings).toEqual([
        { conversationSid: "CH1", reason: "not_found: messages.list failed: not found" },
      ]);
      expect(seen).toEqual([
        { conversationSid: "CH1", reason: "not_found: messages.list failed: not found" },
      ]);
      expect((await mailbox.conversation("CH1"))?.goneReason).toBe(
        "not_found: messages.list failed: not found",
      );
    } finally {
      await mailbox.close();
    }
  });

  it("keeps the reason within what the mailbox stores", () => {
    expect(goneReason("x".repeat(5_000))).toHaveLength(1_000);
    expect(goneReason("  ")).toBe("Twilio answered 404 Not Found");
  });
});
