import { z } from "zod";

const positiveInteger = z.number().int().positive();
const nonNegativeInteger = z.number().int().nonnegative();

/**
 * Worker tuning and the retry policy: the one schema. The config file is validated with it
 * (`workers` in `switchboard.config.ts`), and `WorkersConfig` — the type of that section and
 * of `createSwitchboard({ workers })` — is derived from it, so the two cannot drift. Every
 * value is an integer; `…Ms` are milliseconds. The runtime resolves it once into a
 * `RetryPolicy` (`src/runtime/retry-policy.ts`).
 */
export const workersSchema = z.strictObject({
  /** Turns run at once (different conversations). Default 8. */
  concurrency: positiveInteger.optional(),
  /** Lease length; a crashed worker's turn is resumed after it. Default 30 000. */
  leaseMs: positiveInteger.optional(),
  /** Lease extension interval during a long agent call. Default leaseMs / 3. */
  heartbeatMs: positiveInteger.optional(),
  /** Fallback poll when no wake-up hint arrives. Default 1000. */
  pollMs: positiveInteger.optional(),
  /** Replies sent at once (different conversations). Default 8. */
  sendConcurrency: positiveInteger.optional(),
  /** First retry delay of a failed turn; doubles per attempt up to `retryCapMs`. Default 2000. */
  retryBaseMs: positiveInteger.optional(),
  /** Longest retry delay of a failed turn. Default 300 000 (5 min). */
  retryCapMs: positiveInteger.optional(),
  /** First retry delay of a failed send; doubles per attempt up to `sendRetryCapMs`. Default 500. */
  sendRetryBaseMs: positiveInteger.optional(),
  /** Longest retry delay of a failed send (and of a 429 without `Retry-After`). Default 60 000. */
  sendRetryCapMs: positiveInteger.optional(),
  /**
   * Failed sends of one reply before it is marked failed. Default 10. 429s do not count:
   * Twilio never processes a throttled request, so a reply is never given up for them.
   */
  maxSendAttempts: positiveInteger.optional(),
  /**
   * After a send whose outcome is unknown (a 5xx, a timeout), wait at least this long before
   * listing the conversation's recent messages for the reply: a request Twilio is still
   * processing may not be listed yet. Default 1000.
   */
  sendReconcileDelayMs: nonNegativeInteger.optional(),
  /** How long `close()` waits for running turns before releasing them. Default 10 000. */
  drainMs: nonNegativeInteger.optional(),
});

/** The `workers` section: worker tuning and the retry policy, derived from `workersSchema`. */
export type WorkersConfig = z.input<typeof workersSchema>;
