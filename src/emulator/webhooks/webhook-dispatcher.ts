import { randomUUID } from "node:crypto";
import type { WebhookFaultEngine } from "../faults/fault-rule-set.js";
import type { WebhookFault } from "../faults/parse-fault-rule.js";
import { computeSignature } from "./compute-signature.js";
import type { WebhookParams } from "./event-params.js";
import { sendWebhookRequest, type WebhookAttemptResult } from "./send-webhook-request.js";
import {
  createWebhookDeliveryLog,
  type WebhookDeliveryLog,
  type WebhookDeliveryRecord,
} from "./webhook-delivery-log.js";
import type { WebhookTarget } from "./webhook-targets.js";

export interface WebhookDispatcherOptions {
  /** Signs every request (`X-Twilio-Signature`). Never logged. */
  authToken: string;
  /** Post-event retries after a failed or timed-out first attempt (default 3). */
  retries?: number;
  /** How long one attempt may take, headers and body (default 5000, Twilio's limit). */
  timeoutMs?: number;
  /** Milliseconds to wait before retry `n` (1-based); default 1 s, 2 s, 4 s … capped at 30 s. */
  backoff?: (retry: number) => number;
  /** Clock for log timestamps (epoch ms); pass the emulator clock's `now`. */
  now?: () => number;
  /** Delivery fault rules (duplicate, drop, delay, reorder) for post-events. */
  faults?: WebhookFaultEngine;
  /** Where deliveries are recorded; share it with `GET /_emulator/webhooks`. */
  log?: WebhookDeliveryLog;
  /** Uniform random in [0, 1), for shuffled reorder faults. */
  random?: () => number;
  /**
   * Waits `ms` (delay faults and retry backoff); a real timer by default. Tests pass one
   * they resolve themselves, to hold a delivery until they release it. `close()` ends any
   * wait early either way.
   */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What a pre-event's answers decided:
 * - `proceed`: publish the action unchanged (2xx with an empty body or `{}`, a non-JSON
 *   2xx body, a timeout, a connection failure, or no pre-event targets at all);
 * - `modify`: publish with `changes` merged in — the snake_case keys the receiver answered
 *   (`body`, `author`, `attributes`, `friendly_name`, `unique_name` …), passed through as
 *   given for the store to apply;
 * - `reject`: the receiver answered non-2xx; store nothing, fire no post-event, and
 *   answer the REST/SDK caller with an error. `status` and `body` are the receiver's
 *   answer (body cut at 64 KiB), for callers that pass them on.
 */
export type PreEventOutcome =
  | { outcome: "proceed" }
  | { outcome: "modify"; changes: Record<string, unknown> }
  | { outcome: "reject"; status: number; body: string; url: string };

export interface WebhookDispatcher {
  /**
   * Sends a pre-event to each target in turn and decides the action. Pre-events are not
   * retried: Twilio holds the action for one answer of at most 5 seconds and then
   * proceeds, so a retry could only add delay. A later target still sees the original
   * parameters; the changes of all targets are merged, later ones winning.
   */
  deliverPre(targets: readonly WebhookTarget[], params: WebhookParams): Promise<PreEventOutcome>;
  /**
   * Sends a post-event to each target without blocking the action: the returned promise
   * settles when these deliveries are finished (including retries and held faults) and
   * never rejects. Each target gets its own `I-Twilio-Idempotency-Token`, the same on
   * every attempt, and `RetryCount` 0, 1, 2 … (re-signed each time).
   */
  deliverPost(targets: readonly WebhookTarget[], params: WebhookParams): Promise<void>;
  /** Resolves once no delivery is in flight, waiting, or held. */
  idle(): Promise<void>;
  /** The delivery log (same object as the `log` option). */
  readonly log: WebhookDeliveryLog;
  /** Stops pending retries and releases held deliveries without sending them. */
  close(): Promise<void>;
}

const userAgent = "TwilioProxy/1.1";

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  if (!options.authToken) throw new TypeError("createWebhookDispatcher: authToken is required");
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0)
    throw new RangeError("createWebhookDispatcher: retries must be a non-negative integer");
  const timeoutMs = options.timeoutMs ?? 5000;
  const backoff = options.backoff ?? ((retry: number) => Math.min(30_000, 1000 * 2 ** (retry - 1)));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log ?? createWebhookDeliveryLog();
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();
  /** Deliveries held by a reorder rule, per rule id. */
  const held = new Map<
    string,
    { starts: Array<() => Promise<void>>; timer: NodeJS.Timeout; order: "reverse" | "shuffle" }
  >();

  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    return work;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing.signal.aborted || ms <= 0) return resolve();
      const timer = options.sleep === undefined ? setTimeout(done, ms) : undefined;
      if (options.sleep !== undefined) void options.sleep(ms).then(done, done);
      function done() {
        clearTimeout(timer);
        closing.signal.removeEventListener("abort", done);
        resolve();
      }
      closing.signal.addEventListener("abort", done);
    });

  /** One signed HTTP attempt with the given parameters. */
  const attempt = (
    target: WebhookTarget,
    params: WebhookParams,
    token: string,
  ): Promise<WebhookAttemptResult> => {
    const form = new URLSearchParams(params).toString();
    const headers: Record<string, string> = {
      "User-Agent": userAgent,
      Accept: "*/*",
      "I-Twilio-Idempotency-Token": token,
    };
    if (target.method === "GET") {
      // The parameters travel in the query, so the signature covers the URL alone.
      const url = `${target.url}${target.url.includes("?") ? "&" : "?"}${form}`;
      headers["X-Twilio-Signature"] = computeSignature(options.authToken, url);
      return sendWebhookRequest(url, { method: "GET", headers, timeoutMs });
    }
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    headers["X-Twilio-Signature"] = computeSignature(options.authToken, target.url, params);
    return sendWebhookRequest(target.url, { method: "POST", headers, body: form, timeoutMs });
  };

  const paramsFor = (target: WebhookTarget, params: WebhookParams, retryCount: number) => {
    const result: WebhookParams = { ...params, RetryCount: String(retryCount) };
    if (target.webhookSid) result.WebhookSid = target.webhookSid;
    if (target.webhookType) result.WebhookType = target.webhookType;
    return result;
  };

  const newRecord = (target: WebhookTarget, params: WebhookParams, token: string) =>
    log.add({
      id: log.nextId(),
      url: target.url,
      method: target.method,
      event: params.EventType ?? "",
      level: target.level,
      status: "pending",
      attempts: 0,
      ms: 0,
      at: new Date(now()).toISOString(),
      idempotencyToken: token,
      faults: [],
    });

  const record = (entry: WebhookDeliveryRecord, result: WebhookAttemptResult) => {
    entry.attempts += 1;
    entry.status = result.status;
    entry.ms = result.ms;
  };

  /** All attempts of one post-event delivery to one target. */
  const deliverWithRetries = async (
    target: WebhookTarget,
    params: WebhookParams,
    entry: WebhookDeliveryRecord,
  ) => {
    for (let retry = 0; ; retry += 1) {
      if (closing.signal.aborted) return;
      const result = await attempt(
        target,
        paramsFor(target, params, retry),
        entry.idempotencyToken,
      );
      record(entry, result);
      if (typeof result.status === "number" && result.status >= 200 && result.status < 300) return;
      if (retry >= retries) return;
      await wait(backoff(retry + 1));
    }
  };

  const release = (ruleId: string) => {
    const batch = held.get(ruleId);
    if (!batch) return Promise.resolve();
    held.delete(ruleId);
    clearTimeout(batch.timer);
    const starts = [...batch.starts];
    if (batch.order === "reverse") starts.reverse();
    else
      for (let index = starts.length - 1; index > 0; index -= 1) {
        const other = Math.floor(random() * (index + 1));
        [starts[index], starts[other]] = [starts[other]!, starts[index]!];
      }
    // One after another, so receivers see exactly the released order.
    return track(
      (async () => {
        for (const start of starts) await start();
      })(),
    );
  };

  const hold = (
    ruleId: string,
    fault: Extract<WebhookFault, { kind: "reorder" }>,
    start: () => Promise<void>,
  ) => {
    let batch = held.get(ruleId);
    if (!batch) {
      // Released after holdMs even if fewer than `count` arrive, so nothing waits forever.
      const timer = setTimeout(() => void release(ruleId), fault.holdMs);
      batch = { starts: [], timer, order: fault.order };
      held.set(ruleId, batch);
    }
    return new Promise<void>((resolve) => {
      batch.starts.push(() => start().finally(resolve));
      if (batch.starts.length >= fault.count) void release(ruleId);
    });
  };

  const deliverPostToTarget = (target: WebhookTarget, params: WebhookParams): Promise<void> => {
    const entry = newRecord(target, params, randomUUID());
    const decided = options.faults?.match(entry.event, target.url);
    const fault = decided?.fault;
    if (fault) entry.faults.push(fault.kind);
    if (fault?.kind === "drop") {
      entry.status = "dropped";
      return Promise.resolve();
    }
    const run = async () => {
      if (fault?.kind === "delay") await wait(fault.delayMs);
      await deliverWithRetries(target, params, entry);
      if (fault?.kind === "duplicate" && !closing.signal.aborted) {
        // The same request again, token and all: what an at-least-once retry looks like.
        const copy = newRecord(target, params, entry.idempotencyToken);
        copy.faults.push("duplicate");
        record(copy, await attempt(target, paramsFor(target, params, 0), copy.idempotencyToken));
      }
    };
    if (fault?.kind === "reorder" && decided) return hold(decided.ruleId, fault, run);
    return run();
  };

  return {
    log,
    async deliverPre(targets, params) {
      const changes: Record<string, unknown> = {};
      for (const target of targets) {
        const entry = newRecord(target, params, randomUUID());
        const result = await attempt(target, paramsFor(target, params, 0), entry.idempotencyToken);
        record(entry, result);
        if (typeof result.status !== "number") {
          entry.outcome = "proceed";
          continue;
        }
        if (result.status < 200 || result.status >= 300) {
          entry.outcome = "reject";
          return { outcome: "reject", status: result.status, body: result.body, url: target.url };
        }
        const answer = parseChanges(result.body);
        entry.outcome = answer ? "modify" : "proceed";
        if (answer) Object.assign(changes, answer);
      }
      return Object.keys(changes).length > 0
        ? { outcome: "modify", changes }
        : { outcome: "proceed" };
    },
    deliverPost(targets, params) {
      if (closing.signal.aborted) return Promise.resolve();
      return track(
        Promise.all(targets.map((target) => deliverPostToTarget(target, params))).then(
          () => undefined,
        ),
      );
    },
    async idle() {
      while (inFlight.size > 0 || held.size > 0) {
        if (inFlight.size === 0) {
          // Only held batches remain: their timers release them.
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        await Promise.allSettled([...inFlight]);
      }
    },
    async close() {
      closing.abort();
      // Held deliveries are released into the aborted state, where they send nothing.
      for (const ruleId of [...held.keys()]) void release(ruleId);
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** A pre-event answer's changes: a non-empty JSON object, or nothing. */
function parseChanges(body: string): Record<string, unknown> | undefined {
  const text = body.trim();
  if (text === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return Object.keys(value).length > 0 ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
