import { describeValue } from "../../describe-value.js";
import { ConfigError } from "../../errors.js";
import { refuseUnknownOptions } from "../../refuse-unknown-options.js";
import type { ResilienceOptions } from "./resilient-request-client.js";
import type { TwilioProviderConfig } from "./twilio-provider.js";

// The options `validateTwilioOptions` does not know (it checks credentials, SIDs and URLs),
// checked when the provider is built: otherwise a misspelt key is ignored, a wrong value
// falls back to a default, and an object without the methods the provider calls fails
// later, far from its cause — a pacer without `acquire` even as an ambiguous send.

const owner = "new TwilioProvider";

const knownOptions = {
  accountSid: true,
  authToken: true,
  apiKeySid: true,
  apiKeySecret: true,
  conversationsServiceSid: true,
  webhookUrl: true,
  region: true,
  edge: true,
  httpClient: true,
  logger: true,
  webhookEnabled: true,
  resilience: true,
  pacer: true,
  senderBudget: true,
  streamBufferSize: true,
} as const satisfies Record<keyof TwilioProviderConfig, true>;

const resilienceOptions = {
  maxAttempts: true,
  initialDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
  maxConcurrentRequests: true,
  circuitBreaker: true,
  random: true,
  onRetry: true,
} as const satisfies Record<keyof ResilienceOptions, true>;

type CircuitBreakerOptions = Exclude<NonNullable<ResilienceOptions["circuitBreaker"]>, false>;
const circuitBreakerOptions = {
  consecutiveFailures: true,
  halfOpenAfterMs: true,
} as const satisfies Record<keyof CircuitBreakerOptions, true>;

const senderBudgetOptions = { messagesPerSecond: true } as const satisfies Record<
  keyof NonNullable<TwilioProviderConfig["senderBudget"]>,
  true
>;

/**
 * Refuses unknown keys (here and in `resilience`, its `circuitBreaker` and `senderBudget`),
 * objects without the methods the provider calls (`httpClient.request`, `pacer.acquire`,
 * the logger's four levels) and out-of-range numbers. Throws `ConfigError` naming the
 * option path, e.g. `senderBudget.messagesPerSecond`.
 */
export function checkProviderConfig(config: unknown): asserts config is TwilioProviderConfig {
  if (!isRecord(config))
    throw new ConfigError(
      "options",
      `${owner} needs an options object: { accountSid, authToken, conversationsServiceSid }; got ${describeValue(config)}.`,
    );
  refuseUnknownOptions(config, knownOptions, "", owner);
  requireMethods(config.httpClient, "httpClient", ["request"], "a twilio.RequestClient");
  requireMethods(
    config.logger,
    "logger",
    ["debug", "info", "warn", "error"],
    "a logger with debug, info, warn and error (a pino logger fits)",
  );
  if (config.pacer !== false)
    requireMethods(
      config.pacer,
      "pacer",
      ["acquire"],
      "a RequestPacer (createInProcessPacer()) or false",
    );
  if (config.webhookEnabled !== undefined && typeof config.webhookEnabled !== "boolean")
    throw invalid("webhookEnabled", "must be true or false", config.webhookEnabled);
  checkResilience(config.resilience);
  checkSenderBudget(config.senderBudget);
}

function checkResilience(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value))
    throw invalid("resilience", "must be an object of resilience options", value);
  refuseUnknownOptions(value, resilienceOptions, "resilience.", owner);
  wholeNumber(value.maxAttempts, "resilience.maxAttempts", 1);
  milliseconds(value.initialDelayMs, "resilience.initialDelayMs");
  milliseconds(value.maxDelayMs, "resilience.maxDelayMs");
  milliseconds(value.maxRetryAfterMs, "resilience.maxRetryAfterMs");
  wholeNumber(value.maxConcurrentRequests, "resilience.maxConcurrentRequests", 1);
  for (const option of ["random", "onRetry"] as const)
    if (value[option] !== undefined && typeof value[option] !== "function")
      throw invalid(`resilience.${option}`, "must be a function", value[option]);
  const breaker = value.circuitBreaker;
  if (breaker === undefined || breaker === false) return;
  if (!isRecord(breaker))
    throw invalid(
      "resilience.circuitBreaker",
      "must be false (off) or { consecutiveFailures, halfOpenAfterMs }",
      breaker,
    );
  refuseUnknownOptions(breaker, circuitBreakerOptions, "resilience.circuitBreaker.", owner);
  wholeNumber(breaker.consecutiveFailures, "resilience.circuitBreaker.consecutiveFailures", 1);
  milliseconds(breaker.halfOpenAfterMs, "resilience.circuitBreaker.halfOpenAfterMs");
}

/**
 * A budget is a positive whole number of messages per second. No budget is written by
 * leaving `senderBudget` out; `0` is refused rather than read as "off" or "send nothing".
 */
function checkSenderBudget(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value))
    throw invalid(
      "senderBudget",
      "must be { messagesPerSecond } (leave it out for no budget)",
      value,
    );
  refuseUnknownOptions(value, senderBudgetOptions, "senderBudget.", owner);
  if (value.messagesPerSecond === undefined)
    throw new ConfigError(
      "senderBudget.messagesPerSecond",
      `${owner}: senderBudget.messagesPerSecond is missing (leave senderBudget out for no budget).`,
    );
  wholeNumber(
    value.messagesPerSecond,
    "senderBudget.messagesPerSecond",
    1,
    "(leave senderBudget out for no budget)",
  );
}

function requireMethods(
  value: unknown,
  option: string,
  methods: readonly string[],
  what: string,
): void {
  if (value === undefined) return;
  const missing =
    typeof value === "object" && value !== null
      ? methods.filter((method) => typeof (value as Record<string, unknown>)[method] !== "function")
      : methods;
  if (missing.length > 0)
    throw new ConfigError(
      option,
      `${owner}: ${option} must be ${what}; got ${describeValue(value)}${isRecord(value) ? ` without ${missing.map((method) => `${method}()`).join(", ")}` : ""}.`,
    );
}

function wholeNumber(value: unknown, option: string, minimum: number, hint = ""): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum)
    throw invalid(
      option,
      `must be a whole number of at least ${minimum}${hint === "" ? "" : ` ${hint}`}`,
      value,
    );
}

function milliseconds(value: unknown, option: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw invalid(option, "must be a number of milliseconds, 0 or more", value);
}

function invalid(option: string, problem: string, value: unknown): ConfigError {
  return new ConfigError(option, `${owner}: ${option} ${problem}; got ${describeValue(value)}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
