import { FaultRuleError } from "./fault-rule-error.js";

/** What to do to a matching REST request. */
export type RestFault =
  /** Answer at once with this status and a Twilio error body; nothing is written. */
  | { kind: "status"; status: number; code?: number; retryAfter?: number }
  /** Wait, then handle the request normally (a slow Twilio). */
  | { kind: "delay"; delayMs: number }
  /** Destroy the connection without an answer; nothing is written. */
  | { kind: "reset" }
  /** Perform the write, then answer with this status instead of the result. */
  | { kind: "commitThenStatus"; status: number; code?: number; retryAfter?: number }
  /** Perform the write, then destroy the connection: the sender cannot know it happened. */
  | { kind: "commitThenReset" };

/** Which REST requests a rule applies to; every given field must match. */
export interface RestFaultMatch {
  /** Upper-case HTTP method. */
  method?: string;
  /** A substring of the request path (`/Messages`, `/Conversations/CH…`). */
  path?: string;
}

/** What to do to a matching webhook delivery (post-events). */
export type WebhookFault =
  /** Deliver the same request twice (same idempotency token): an at-least-once retry. */
  | { kind: "duplicate" }
  /**
   * Never deliver it: a webhook Twilio gave up on (every retry failed while the service was
   * down) or lost. The message is still in the conversation for a listing to find.
   */
  | { kind: "drop" }
  /** Hold the delivery this long before its first attempt. */
  | { kind: "delay"; delayMs: number }
  /**
   * Hold matching deliveries until `count` are held (or `holdMs` passed since the first),
   * then release them in reverse or shuffled order.
   */
  | { kind: "reorder"; count: number; order: "reverse" | "shuffle"; holdMs: number };

/** Which webhook deliveries a rule applies to; every given field must match. */
export interface WebhookFaultMatch {
  /** Exact event type, e.g. `onMessageAdded`. */
  event?: string;
  /** A substring of the target URL. */
  url?: string;
}

/** A validated rule, before it is stored. */
export interface FaultRuleInput<Match, Fault> {
  match: Match;
  fault: Fault;
  /** Apply to this many matching requests, then retire; unlimited when absent. */
  times?: number;
  /** Probability (0..1) that a matching request is affected; always when absent. */
  rate?: number;
}

/** The largest control-route body accepted, in bytes. */
export const maxFaultRuleBytes = 16 * 1024;
const maxDelayMs = 120_000;
const maxStringLength = 2048;

/**
 * Validates `POST /_emulator/faults`:
 * `{ match?: {method?, path?}, fault: {status, code?, retryAfter?} | {delayMs} |
 * {reset: true} | {commitThenStatus, code?, retryAfter?} | {commitThenReset: true},
 * times?, rate? }`. Throws {@link FaultRuleError} naming the bad field.
 */
export function parseRestFaultRule(body: unknown): FaultRuleInput<RestFaultMatch, RestFault> {
  const rule = record(body, "body");
  onlyKeys(rule, ["match", "fault", "times", "rate"], "");
  const match: RestFaultMatch = {};
  if (rule.match !== undefined) {
    const raw = record(rule.match, "match");
    onlyKeys(raw, ["method", "path"], "match.");
    if (raw.method !== undefined) {
      const method = text(raw.method, "match.method");
      if (!/^[A-Za-z]{1,16}$/.test(method))
        throw new FaultRuleError(
          "match.method",
          "match.method must be an HTTP method such as POST",
        );
      match.method = method.toUpperCase();
    }
    if (raw.path !== undefined) match.path = text(raw.path, "match.path");
  }
  return { match, fault: restFault(rule.fault), ...limits(rule) };
}

/**
 * Validates `POST /_emulator/webhooks/faults`:
 * `{ match?: {event?, url?}, fault: {duplicate: true} | {drop: true} | {delayMs} |
 * {reorder: {count, order?: "reverse"|"shuffle", holdMs?}}, times?, rate? }`.
 */
export function parseWebhookFaultRule(
  body: unknown,
): FaultRuleInput<WebhookFaultMatch, WebhookFault> {
  const rule = record(body, "body");
  onlyKeys(rule, ["match", "fault", "times", "rate"], "");
  const match: WebhookFaultMatch = {};
  if (rule.match !== undefined) {
    const raw = record(rule.match, "match");
    onlyKeys(raw, ["event", "url"], "match.");
    if (raw.event !== undefined) match.event = text(raw.event, "match.event");
    if (raw.url !== undefined) match.url = text(raw.url, "match.url");
  }
  return { match, fault: webhookFault(rule.fault), ...limits(rule) };
}

function restFault(value: unknown): RestFault {
  const fault = record(value, "fault");
  const kind = singleKind(fault, [
    "status",
    "delayMs",
    "reset",
    "commitThenStatus",
    "commitThenReset",
  ]);
  switch (kind) {
    case "status":
      onlyKeys(fault, ["status", "code", "retryAfter"], "fault.");
      return { kind, status: errorStatus(fault.status, "fault.status"), ...errorExtras(fault) };
    case "commitThenStatus":
      onlyKeys(fault, ["commitThenStatus", "code", "retryAfter"], "fault.");
      return {
        kind,
        status: errorStatus(fault.commitThenStatus, "fault.commitThenStatus"),
        ...errorExtras(fault),
      };
    case "delayMs":
      onlyKeys(fault, ["delayMs"], "fault.");
      return { kind: "delay", delayMs: integer(fault.delayMs, "fault.delayMs", 0, maxDelayMs) };
    case "reset":
    case "commitThenReset":
      onlyKeys(fault, [kind], "fault.");
      if (fault[kind] !== true)
        throw new FaultRuleError(`fault.${kind}`, `fault.${kind} must be true`);
      return { kind };
  }
  throw new FaultRuleError("fault", "unreachable");
}

function webhookFault(value: unknown): WebhookFault {
  const fault = record(value, "fault");
  const kind = singleKind(fault, ["duplicate", "drop", "delayMs", "reorder"]);
  onlyKeys(fault, [kind], "fault.");
  if (kind === "duplicate" || kind === "drop") {
    if (fault[kind] !== true)
      throw new FaultRuleError(`fault.${kind}`, `fault.${kind} must be true`);
    return { kind };
  }
  if (kind === "delayMs")
    return { kind: "delay", delayMs: integer(fault.delayMs, "fault.delayMs", 0, maxDelayMs) };
  const reorder = record(fault.reorder, "fault.reorder");
  onlyKeys(reorder, ["count", "order", "holdMs"], "fault.reorder.");
  const order = reorder.order ?? "reverse";
  if (order !== "reverse" && order !== "shuffle")
    throw new FaultRuleError(
      "fault.reorder.order",
      'fault.reorder.order must be "reverse" or "shuffle"',
    );
  return {
    kind: "reorder",
    count: integer(reorder.count, "fault.reorder.count", 2, 100),
    order,
    holdMs:
      reorder.holdMs === undefined
        ? 1000
        : integer(reorder.holdMs, "fault.reorder.holdMs", 1, maxDelayMs),
  };
}

function limits(rule: Record<string, unknown>): { times?: number; rate?: number } {
  const result: { times?: number; rate?: number } = {};
  if (rule.times !== undefined) result.times = integer(rule.times, "times", 1, 1_000_000);
  if (rule.rate !== undefined) {
    if (
      typeof rule.rate !== "number" ||
      !Number.isFinite(rule.rate) ||
      rule.rate < 0 ||
      rule.rate > 1
    )
      throw new FaultRuleError("rate", "rate must be a number from 0 to 1");
    result.rate = rule.rate;
  }
  return result;
}

function errorExtras(fault: Record<string, unknown>): { code?: number; retryAfter?: number } {
  const extras: { code?: number; retryAfter?: number } = {};
  if (fault.code !== undefined) extras.code = integer(fault.code, "fault.code", 1, 99_999);
  if (fault.retryAfter !== undefined)
    extras.retryAfter = integer(fault.retryAfter, "fault.retryAfter", 0, 86_400);
  return extras;
}

function singleKind<Kind extends string>(
  fault: Record<string, unknown>,
  kinds: readonly Kind[],
): Kind {
  const present = kinds.filter((kind) => fault[kind] !== undefined);
  if (present.length === 1) return present[0]!;
  if (present.length === 0)
    throw new FaultRuleError("fault", `fault must have one of: ${kinds.join(", ")}`);
  throw new FaultRuleError("fault", `fault must have only one of: ${present.join(", ")}`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new FaultRuleError(field, `${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

function onlyKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      throw new FaultRuleError(
        `${prefix}${key}`,
        `unknown field ${prefix}${key}; expected one of: ${allowed.map((name) => prefix + name).join(", ")}`,
      );
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxStringLength)
    throw new FaultRuleError(
      field,
      `${field} must be a non-empty string of at most ${maxStringLength} characters`,
    );
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new FaultRuleError(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

function errorStatus(value: unknown, field: string): number {
  return integer(value, field, 400, 599);
}
