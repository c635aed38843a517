import {
  BrokenCircuitError,
  type BulkheadPolicy,
  bulkhead,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  IsolatedCircuitError,
  type RetryPolicy,
  retry,
} from "cockatiel";
import twilio from "twilio";
import { parseRetryAfter } from "../error-codes.js";
import { CircuitOpenError, SendDeadlineError } from "../errors.js";
import { currentRequestDeadline } from "./request-deadline.js";
import type { PacingRequest, RequestPacer } from "./request-pacer.js";
import { TwilioHttpError } from "./twilio-http-error.js";

const { RequestClient } = twilio;
type RequestOptions<TData> = Parameters<InstanceType<typeof RequestClient>["request"]>[0] & {
  data?: TData;
};

/** Timeout of one Twilio request unless a bounded call's deadline is nearer. */
export const defaultRequestTimeoutMs = 30_000;

/**
 * How the provider's requests survive rate limits, blips and outages. Checked when the
 * provider is built: counts are whole numbers of at least 1, durations milliseconds ≥ 0.
 */
export interface ResilienceOptions {
  /** Attempts per request, the first included. Default 4. */
  maxAttempts?: number | undefined;
  /** First backoff step; each retry doubles it (full jitter). Default 200 ms. */
  initialDelayMs?: number | undefined;
  /** Backoff ceiling (without `Retry-After`). Default 10 s. */
  maxDelayMs?: number | undefined;
  /**
   * A `Retry-After` longer than this is not waited out: the call fails with
   * `RateLimitedError` carrying `retryAfterMs`, so the caller can reschedule. Default 30 s.
   * In a bounded send (`timeoutMs`) one that would outlast the bound fails at once with
   * `SendDeadlineError`, also carrying `retryAfterMs`.
   */
  maxRetryAfterMs?: number | undefined;
  /** Requests in flight at once for this provider (Twilio limits concurrency per account). Default 20. */
  maxConcurrentRequests?: number | undefined;
  /**
   * Fail fast with `CircuitOpenError` after this many consecutive outage failures (5xx or
   * connection errors; not 4xx, not 429), then let one request probe after
   * `halfOpenAfterMs`. `false` disables it. Default `{ consecutiveFailures: 5, halfOpenAfterMs: 10_000 }`.
   */
  circuitBreaker?: false | { consecutiveFailures?: number; halfOpenAfterMs?: number } | undefined;
  /** Random source for jitter; injectable for tests. */
  random?: (() => number) | undefined;
  /** Called before each retry with the delay it will wait. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** One retry about to happen. */
export interface RetryEvent {
  method: string;
  /** The request URL (never credentials). */
  url: string;
  /** The attempt that failed, starting at 1. */
  attempt: number;
  delayMs: number;
  /** HTTP status, or the connection error code (`ECONNREFUSED`…). */
  reason: string;
}

/** Connection failures where the request never left: always safe to repeat. */
const neverSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * The request client the provider hands to the official SDK. It wraps the real one (yours,
 * the emulator's, or the SDK default) and adds, per request: pacing (`RequestPacer`), a
 * concurrency cap (bulkhead), retries with exponential backoff and full jitter that honour
 * `Retry-After`, and a circuit breaker.
 *
 * What is retried, and why:
 * - 429 (20429, 50063, 50074) on any method: Twilio did not process it.
 * - A connection error before the request left (`ECONNREFUSED`, DNS): nothing was sent.
 * - 5xx and mid-flight connection errors on GET only: reads are safe to repeat. On a write
 *   the outcome is unknown, so it is never repeated blindly; a create then surfaces as
 *   `AmbiguousSendError` for the caller to reconcile.
 *
 * Non-2xx answers are thrown as `TwilioHttpError`, which keeps `Retry-After`.
 */
export class ResilientRequestClient extends RequestClient {
  readonly #inner: twilio.RequestClient;
  readonly #pacer: RequestPacer | undefined;
  readonly #retry: RetryPolicy;
  readonly #breaker: CircuitBreakerPolicy | undefined;
  readonly #bulkhead: BulkheadPolicy;
  readonly #maxRetryAfterMs: number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(
    inner: twilio.RequestClient,
    options: ResilienceOptions = {},
    pacer?: RequestPacer | undefined,
  ) {
    super({ keepAlive: false });
    this.#inner = inner;
    this.#pacer = pacer;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.#onRetry = options.onRetry;
    this.#bulkhead = bulkhead(
      atLeastOne(options.maxConcurrentRequests ?? 20),
      Number.POSITIVE_INFINITY,
    );

    const initialDelayMs = options.initialDelayMs ?? 200;
    const maxDelayMs = options.maxDelayMs ?? 10_000;
    const random = options.random ?? Math.random;
    const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (context.attempt - 1));
      const jittered = Math.floor(random() * ceiling);
      const error = "error" in context.result ? context.result.error : undefined;
      const retryAfterMs =
        error instanceof TwilioHttpError ? parseRetryAfter(error.retryAfter) : undefined;
      const delayMs = Math.max(retryAfterMs ?? 0, jittered);
      this.#onRetry?.({ ...describeFailure(error), attempt: context.attempt, delayMs });
      return delayMs;
    });
    this.#retry = retry(
      handleWhen((error) => this.#isRetryable(error)),
      { maxAttempts: Math.max(0, (options.maxAttempts ?? 4) - 1), backoff },
    );

    const breaker = options.circuitBreaker ?? {};
    this.#breaker =
      breaker === false
        ? undefined
        : circuitBreaker(handleWhen(isOutage), {
            halfOpenAfter: breaker.halfOpenAfterMs ?? 10_000,
            breaker: new ConsecutiveBreaker(breaker.consecutiveFailures ?? 5),
          });
  }

  override async request<TData>(options: RequestOptions<TData>) {
    const method = options.method.toUpperCase();
    const pacing = pacingOf(method, options.uri);
    try {
      return await this.#retry.execute(() => {
        const send = () => this.#send(options, method, pacing);
        return this.#breaker ? this.#breaker.execute(send) : send();
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CircuitOpenError(
          "Twilio requests are failing (5xx or unreachable), so calls fail fast for a while; they resume automatically when a probe succeeds.",
          { cause: this.#breaker?.lastFailure ?? error },
        );
      }
      const retryAfterMs = deadlineRetryAfter(error);
      if (retryAfterMs !== undefined)
        throw new SendDeadlineError(
          `Twilio answered 429 asking to wait ${retryAfterMs} ms (Retry-After), past the send's deadline; nothing was sent (a 429 is never processed).`,
          { cause: error, status: 429, retryAfterMs },
        );
      throw error;
    }
  }

  async #send<TData>(
    options: RequestOptions<TData>,
    method: string,
    pacing: PacingRequest | undefined,
  ) {
    if (pacing !== undefined && this.#pacer !== undefined) await this.#pacer.acquire(pacing);
    const response = await this.#bulkhead.execute(() =>
      this.#inner.request<TData>(withinDeadline(options)),
    );
    if (response.statusCode < 200 || response.statusCode >= 400) {
      throw new TwilioHttpError(response, method, options.uri);
    }
    return response;
  }

  #isRetryable(error: unknown): boolean {
    if (error instanceof TwilioHttpError) {
      if (error.status === 429) {
        const retryAfterMs = parseRetryAfter(error.retryAfter);
        if (retryAfterMs === undefined) return true;
        return retryAfterMs <= this.#maxRetryAfterMs && deadlineRetryAfter(error) === undefined;
      }
      return error.status >= 500 && error.method === "GET";
    }
    const code = connectionErrorCode(error);
    if (code === undefined) return false;
    return neverSentCodes.has(code) || requestOf(error).method === "GET";
  }
}

/**
 * The `Retry-After` (ms) of a 429 that cannot be waited out within the current call's
 * deadline (`withRequestDeadline`): waiting would only end in `SendDeadlineError` later.
 */
function deadlineRetryAfter(error: unknown): number | undefined {
  if (!(error instanceof TwilioHttpError) || error.status !== 429) return undefined;
  const deadline = currentRequestDeadline();
  const retryAfterMs = parseRetryAfter(error.retryAfter);
  if (deadline === undefined || retryAfterMs === undefined) return undefined;
  return Date.now() + retryAfterMs >= deadline ? retryAfterMs : undefined;
}

function describeFailure(error: unknown): Omit<RetryEvent, "attempt" | "delayMs"> {
  if (error instanceof TwilioHttpError)
    return { method: error.method, url: error.url, reason: String(error.status) };
  const request = requestOf(error);
  return {
    method: request.method ?? "",
    url: request.url ?? "",
    reason: connectionErrorCode(error) ?? "unknown",
  };
}

/** A 5xx or a connection failure: Twilio down or unreachable, which the breaker counts. */
function isOutage(error: unknown): boolean {
  if (error instanceof TwilioHttpError) return error.status >= 500;
  return connectionErrorCode(error) !== undefined;
}

function connectionErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (typeof record.status === "number" && record.status > 0) return undefined;
  return typeof record.code === "string" && /^E[A-Z_]+$|^UND_ERR/.test(record.code)
    ? record.code
    : undefined;
}

/** axios errors carry the request's config; it tells a GET (safe to repeat) apart. */
function requestOf(error: unknown): { method: string | undefined; url: string | undefined } {
  const config = (error as { config?: { method?: unknown; url?: unknown } }).config;
  return {
    method: typeof config?.method === "string" ? config.method.toUpperCase() : undefined,
    url: typeof config?.url === "string" ? config.url : undefined,
  };
}

/**
 * Which limit a request counts against. Reads are free; writes under a conversation count
 * for that conversation; creating or deleting a conversation counts for the service.
 */
export function pacingOf(method: string, uri: string): PacingRequest | undefined {
  if (method === "GET" || method === "HEAD") return undefined;
  let path: string;
  try {
    path = new URL(uri).pathname;
  } catch {
    return undefined;
  }
  const service = /\/Services\/([^/]+)\//.exec(path)?.[1] ?? "default";
  if (/\/Media$/.test(path) && !/\/Conversations\//.test(path)) return undefined;
  const conversation = /\/Conversations\/([^/]+)(\/.*)?$/.exec(path);
  if (conversation === null) {
    return /\/Conversations$/.test(path) ? { scope: "service", key: service } : undefined;
  }
  const key = decodeURIComponent(conversation[1] ?? "");
  if (conversation[2] === undefined && method === "DELETE")
    return { scope: "service", key: service };
  return { scope: "conversation", key };
}

function atLeastOne(value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError("resilience.maxConcurrentRequests must be a positive integer");
  return value;
}

/**
 * The request bounded by the current call's deadline (see `withRequestDeadline`): refused if
 * the deadline has passed — checked last thing before the request starts, after pacer and
 * bulkhead waits — else its timeout cut to the time left, so it has landed or failed by then.
 */
function withinDeadline<TData>(options: RequestOptions<TData>): RequestOptions<TData> {
  const deadline = currentRequestDeadline();
  if (deadline === undefined) return options;
  const left = Math.floor(deadline - Date.now());
  if (left <= 0)
    throw new SendDeadlineError(
      "The send's time ran out before its request could start; nothing was sent.",
    );
  return { ...options, timeout: Math.min(options.timeout ?? defaultRequestTimeoutMs, left) };
}
