import { ConfigError } from "../errors.js";

/**
 * The default catch-up budget, REST requests per second. Twilio's account limits:
 * - REST concurrency: too many requests in flight are answered 429 with error 20429 ("Too
 *   many requests", twilio.com/docs/api/errors/20429); the usual figure is about 100
 *   concurrent requests per account;
 * - 30 actions per second per conversation for message and participant writes, 30 per
 *   service for conversation creates (Twilio changelog, 2020-03-31, "Increasing Actions Per
 *   Second for Conversations"); reads are not counted against these (error 50063: "the APS
 *   limit is enforced for commands … not Read actions").
 * Catch-up only reads, in the background: 5 listings a second — one or two in flight — is a
 * small share of the account's concurrency, leaving it to replies and to other applications
 * on the account. See docs/architecture.md, step 7 ("Catch-up").
 */
export const defaultCatchUpRequestsPerSecond = 5;

/** How long a background request waits for sends to go quiet before it takes its turn. */
const defaultMaxYieldMs = 2_000;
/** How often a yielding request looks again whether sends went quiet. */
const yieldPollMs = 20;

/** What a {@link CatchUpBudget} needs. */
export interface CatchUpBudgetOptions {
  /** Catch-up REST requests per second at most (a sliding one-second window). */
  requestsPerSecond: number;
  /**
   * True while replies are being sent (or wait to be): background catch-up requests wait
   * for it to turn false, so catch-up never takes a reply's place in the account's limits.
   */
  sendsBusy?: () => boolean;
  /** The longest a background request yields to sends before it goes anyway. Default 2 s. */
  maxYieldMs?: number;
  now?: () => number;
}

/**
 * The REST budget of catch-up, shared by everything catch-up lists (the periodic and start
 * runs, and the gap fetches of the webhook path): at most `requestsPerSecond` requests in
 * any one-second window, counted here so a run can report what it spent. Sends are not
 * counted against it; they come first — background requests (`take("background")`) wait
 * while sends are busy, up to `maxYieldMs`, so a steady stream of replies slows catch-up
 * down but never stops it for good. A gap fetch (`take("gap")`) skips the yield: a turn waits
 * on its answer, so it is on a reply's path itself. For the same reason background requests
 * leave a fifth of each second's slots (at least one, from a budget of 2) to gap fetches: a
 * run that keeps the budget busy for minutes after a restart would otherwise make every gap
 * listing wait up to a second for a slot — past the settle window, so the turn behind the
 * gap went out before the message found missing.
 */
export class CatchUpBudget {
  readonly requestsPerSecond: number;
  /** Slots of any one-second window that only a gap fetch may take. */
  readonly reservedForGaps: number;
  readonly #sendsBusy: () => boolean;
  readonly #maxYieldMs: number;
  readonly #now: () => number;
  /** Grant times within the last second, oldest first. */
  readonly #granted: number[] = [];
  /** Requests granted since this budget was made. */
  spent = 0;
  /** Background waiters in line, served in order; a gap fetch does not queue behind them. */
  #line: Promise<void> = Promise.resolve();

  constructor(options: CatchUpBudgetOptions) {
    this.requestsPerSecond = validateRequestsPerSecond(options.requestsPerSecond);
    this.reservedForGaps =
      this.requestsPerSecond < 2 ? 0 : Math.max(1, Math.floor(this.requestsPerSecond / 5));
    this.#sendsBusy = options.sendsBusy ?? (() => false);
    this.#maxYieldMs = options.maxYieldMs ?? defaultMaxYieldMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether a request of `kind` could be granted right now without waiting (a gap fetch may
   * take the slots background requests leave it).
   */
  available(kind: "background" | "gap" = "gap"): boolean {
    this.#expire();
    return this.#granted.length < this.#limit(kind);
  }

  /**
   * Takes a slot for a gap fetch if one is free now, without waiting: true when taken. The
   * webhook path uses it so a full budget never holds a webhook's answer.
   */
  tryTake(): boolean {
    if (!this.available("gap")) return false;
    this.#grant();
    return true;
  }

  /**
   * Resolves once a request may go out (and counts it). Rejects with the signal's reason
   * when `signal` aborts first (the switchboard is closing).
   */
  take(kind: "background" | "gap", signal?: AbortSignal): Promise<void> {
    if (kind === "gap") return this.#wait(kind, signal);
    const turn = this.#line.then(() => this.#wait(kind, signal));
    // A rejected waiter must not block the ones behind it.
    this.#line = turn.catch(() => {});
    return turn;
  }

  async #wait(kind: "background" | "gap", signal: AbortSignal | undefined): Promise<void> {
    if (kind === "background") {
      const until = this.#now() + this.#maxYieldMs;
      while (this.#sendsBusy() && this.#now() < until) await sleep(yieldPollMs, signal);
    }
    for (;;) {
      signal?.throwIfAborted();
      this.#expire();
      const limit = this.#limit(kind);
      if (this.#granted.length < limit) {
        this.#grant();
        return;
      }
      // Until enough grants leave the window for one more under this kind's limit.
      const freeing = this.#granted[this.#granted.length - limit]!;
      await sleep(Math.max(1, freeing + 1000 - this.#now()), signal);
    }
  }

  #limit(kind: "background" | "gap"): number {
    return kind === "gap" ? this.requestsPerSecond : this.requestsPerSecond - this.reservedForGaps;
  }

  #grant(): void {
    this.#granted.push(this.#now());
    this.spent += 1;
  }

  #expire(): void {
    const cut = this.#now() - 1000;
    while (this.#granted.length > 0 && this.#granted[0]! <= cut) this.#granted.shift();
  }
}

/** `catchUp.requestsPerSecond`: a positive whole number (a fraction would never grant). */
export function validateRequestsPerSecond(value: unknown, option = "catchUp.requestsPerSecond") {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000)
    throw new ConfigError(
      option,
      `${option} must be a whole number of REST requests per second from 1 to 1000 (default ${defaultCatchUpRequestsPerSecond}); got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`,
    );
  return value;
}

/**
 * `setTimeout` as a promise that rejects with the signal's reason when aborted: the twin of
 * the provider's `abortableSleep`, which the runtime may not import (it sees the provider
 * only through its interface).
 */
function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
