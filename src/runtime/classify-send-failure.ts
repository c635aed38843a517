import { SwitchboardError } from "../errors.js";

/**
 * What a failed send means for the reply, read from the error classes' stable fields
 * (`SwitchboardError.code`, `isRetryable`, and the Twilio errors' `status` and `retryAfterMs`)
 * rather than from messages:
 * - `throttled`: a 429 (`RateLimitedError`, or a bounded send's `send_deadline` carrying
 *   the 429's status): refused unprocessed, so it created nothing and does not use up an
 *   attempt;
 * - `closed`: the conversation is closed (`ConversationClosedError`, or any error with that
 *   code): no retry can succeed;
 * - `refused`: another definite refusal (a Twilio 4xx that is not retryable): nothing was
 *   created and the same message cannot succeed;
 * - `unsent`: refused before reaching Twilio and worth retrying (`CircuitOpenError`, or a
 *   bounded send whose time ran out before its request started: `send_deadline`);
 * - `ambiguous`: the message may have been created (`AmbiguousSendError`, a reset, an unknown
 *   error or a bug): retried, after looking for the reply id.
 */
export type SendFailure =
  | { kind: "throttled"; retryAfterMs: number | undefined }
  | { kind: "closed" }
  | { kind: "refused" }
  | { kind: "unsent" }
  | { kind: "ambiguous" };

/**
 * Classifies a send error. `SwitchboardError.isSwitchboardError` (a global marker) instead of
 * `instanceof`, so errors from a second copy of switchboard in the process classify the same.
 */
export function classifySendFailure(error: unknown): SendFailure {
  if (!SwitchboardError.isSwitchboardError(error)) return { kind: "ambiguous" };
  const { status, retryAfterMs } = error as SwitchboardError & {
    status?: unknown;
    retryAfterMs?: unknown;
  };
  switch (error.code) {
    case "rate_limited":
      return {
        kind: "throttled",
        retryAfterMs:
          typeof retryAfterMs === "number" && retryAfterMs > 0 ? retryAfterMs : undefined,
      };
    case "conversation_closed":
      return { kind: "closed" };
    case "ambiguous_send":
      return { kind: "ambiguous" };
    case "send_deadline":
      // Out of time because Twilio's 429 asked to wait past the deadline: a throttle, whose
      // Retry-After the next try must respect.
      if (status === 429)
        return {
          kind: "throttled",
          retryAfterMs:
            typeof retryAfterMs === "number" && retryAfterMs > 0 ? retryAfterMs : undefined,
        };
      return { kind: "unsent" };
    case "circuit_open":
      return { kind: "unsent" };
  }
  if (!error.isRetryable && typeof status === "number" && status >= 400 && status < 500)
    return { kind: "refused" };
  return { kind: "ambiguous" };
}

/** Failures after which retrying the same message cannot succeed. */
export function isFinalSendFailure(failure: SendFailure): boolean {
  return failure.kind === "closed" || failure.kind === "refused";
}
