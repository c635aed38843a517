import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import {
  AmbiguousSendError,
  CircuitOpenError,
  ConversationClosedError,
  NotFoundError,
  RateLimitedError,
  SendDeadlineError,
  TwilioApiError,
} from "../twilio/errors.js";
import { classifySendFailure, isFinalSendFailure } from "./classify-send-failure.js";

describe("classifySendFailure", () => {
  it("reads the error classes, not duck-typed fields", () => {
    expect(classifySendFailure(new RateLimitedError("slow down", { retryAfterMs: 2_000 }))).toEqual(
      { kind: "throttled", retryAfterMs: 2_000 },
    );
    expect(classifySendFailure(new RateLimitedError("slow down"))).toEqual({
      kind: "throttled",
      retryAfterMs: undefined,
    });
    expect(classifySendFailure(new ConversationClosedError("CH1"))).toEqual({ kind: "closed" });
    expect(classifySendFailure(new NotFoundError("gone"))).toEqual({ kind: "refused" });
    expect(classifySendFailure(new CircuitOpenError("open"))).toEqual({ kind: "unsent" });
    expect(classifySendFailure(new SendDeadlineError("out of time"))).toEqual({ kind: "unsent" });
    // A 429 whose Retry-After outlasted the send's bound: retried after it, uncounted.
    expect(
      classifySendFailure(
        new SendDeadlineError("Retry-After past the deadline", {
          status: 429,
          retryAfterMs: 2_000,
        }),
      ),
    ).toEqual({ kind: "throttled", retryAfterMs: 2_000 });
    expect(
      classifySendFailure(new AmbiguousSendError({ operation: "messages.create" }, "timeout")),
    ).toEqual({ kind: "ambiguous" });
  });

  it("treats a plain object with a status or code as unknown: it may have been sent", () => {
    expect(classifySendFailure({ status: 400, code: "conversation_closed" })).toEqual({
      kind: "ambiguous",
    });
    expect(classifySendFailure(new Error("socket hang up"))).toEqual({ kind: "ambiguous" });
    expect(classifySendFailure(undefined)).toEqual({ kind: "ambiguous" });
  });

  it("retries a retryable 4xx and a 5xx, and gives up on a closed conversation from any provider", () => {
    expect(
      classifySendFailure(new TwilioApiError("conflict", { status: 409, isRetryable: true })),
    ).toEqual({ kind: "ambiguous" });
    expect(classifySendFailure(new TwilioApiError("oops", { status: 500 }))).toEqual({
      kind: "ambiguous",
    });
    // The web chat provider's closed error has the code but no HTTP status.
    const closed = new SwitchboardError("conversation_closed", "closed");
    expect(isFinalSendFailure(classifySendFailure(closed))).toBe(true);
    expect(isFinalSendFailure({ kind: "ambiguous" })).toBe(false);
  });
});
