import type { WorkersConfig } from "../config/workers-schema.js";
import { ConfigError } from "../errors.js";

/** How one kind of work is retried: exponential backoff with jitter (`backoffDelay`). */
export interface BackoffPolicy {
  /** The first retry's delay. */
  baseMs: number;
  /** The longest delay. */
  capMs: number;
}

/**
 * The one resolved retry policy, built once from the `workers` options and handed to the turn
 * worker and the outbox sender.
 *
 * Turn attempts are not here: the mailbox dead-letters a turn in the same transaction as its
 * last claim or failure, so the limit is the mailbox's `maxAttempts` (default 5) — the one
 * place that decision is made.
 */
export interface RetryPolicy {
  turn: BackoffPolicy;
  send: BackoffPolicy & {
    /** Failed sends of one reply (429s not counted) before it is marked failed. */
    attempts: number;
    /** The least wait after an ambiguous send before the reply is looked up. */
    reconcileDelayMs: number;
  };
}

/** The defaults, and the names of the options that override them. */
export const defaultRetryPolicy: RetryPolicy = {
  turn: { baseMs: 2_000, capMs: 5 * 60_000 },
  send: { baseMs: 500, capMs: 60_000, attempts: 10, reconcileDelayMs: 1_000 },
};

/** Resolves and checks the retry options, naming the option at fault. */
export function resolveRetryPolicy(workers: WorkersConfig = {}): RetryPolicy {
  const turnBase = positive(workers.retryBaseMs ?? defaultRetryPolicy.turn.baseMs, "retryBaseMs");
  const sendBase = positive(
    workers.sendRetryBaseMs ?? defaultRetryPolicy.send.baseMs,
    "sendRetryBaseMs",
  );
  return {
    turn: {
      baseMs: turnBase,
      capMs: atLeast(
        workers.retryCapMs ?? Math.max(turnBase, defaultRetryPolicy.turn.capMs),
        turnBase,
        "retryCapMs",
        "retryBaseMs",
      ),
    },
    send: {
      baseMs: sendBase,
      capMs: atLeast(
        workers.sendRetryCapMs ?? Math.max(sendBase, defaultRetryPolicy.send.capMs),
        sendBase,
        "sendRetryCapMs",
        "sendRetryBaseMs",
      ),
      attempts: positive(
        workers.maxSendAttempts ?? defaultRetryPolicy.send.attempts,
        "maxSendAttempts",
      ),
      reconcileDelayMs: nonNegative(
        workers.sendReconcileDelayMs ?? defaultRetryPolicy.send.reconcileDelayMs,
        "sendReconcileDelayMs",
      ),
    },
  };
}

function positive(value: number, name: string): number {
  const option = `workers.${name}`;
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(option, `${option} must be a positive number; got ${value}.`);
  return value;
}

function nonNegative(value: number, name: string): number {
  const option = `workers.${name}`;
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(option, `${option} must be 0 or a positive number; got ${value}.`);
  return value;
}

function atLeast(value: number, base: number, name: string, baseName: string): number {
  positive(value, name);
  if (value < base)
    throw new ConfigError(
      `workers.${name}`,
      `workers.${name} (${value}) must be at least workers.${baseName} (${base}).`,
    );
  return value;
}
