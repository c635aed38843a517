import { describeValue } from "../../describe-value.js";
import { ConfigError } from "../../errors.js";
import type { ParseWebhookEventOptions } from "./parse-webhook-event.js";

/**
 * Refuses option values `parseWebhookEvent` could only fail on later, naming the option:
 * a limit that refuses every request (`maxBodyBytes: -1` answered every webhook 413) or a
 * value of the wrong type from plain JavaScript. A few `typeof` checks, cheap enough for
 * every call; `owner` is what took the options.
 */
export function validateParseOptions(options: ParseWebhookEventOptions, owner: string): void {
  if (typeof options !== "object" || options === null)
    throw new ConfigError(
      "options",
      `${owner} takes an options object; got ${describeValue(options)}.`,
    );
  wholeNumber(options.maxBodyBytes, "maxBodyBytes", owner, "bytes (default 65536, 64 KB)");
  wholeNumber(options.maxParams, "maxParams", owner, "form fields (default 200)");
  ofType(options.verify, "verify", owner, "boolean");
  ofType(options.trustProxy, "trustProxy", owner, "boolean");
  ofType(options.authToken, "authToken", owner, "string");
  ofType(options.sharedKey, "sharedKey", owner, "string");
  ofType(options.url, "url", owner, "string");
  ofType(options.now, "now", owner, "function");
  if (options.env !== undefined && (typeof options.env !== "object" || options.env === null))
    throw new ConfigError(
      "env",
      `${owner}: env must be an object of environment variables (default process.env); got ${describeValue(options.env)}.`,
    );
}

function wholeNumber(value: unknown, option: string, owner: string, unit: string): void {
  if (value === undefined || (Number.isSafeInteger(value) && (value as number) > 0)) return;
  const consequence =
    typeof value === "number" && value <= 0 ? ", which would refuse every webhook" : "";
  throw new ConfigError(
    option,
    `${owner}: ${option} must be a positive whole number of ${unit}; got ${describeValue(value)}${consequence}.`,
  );
}

function ofType(value: unknown, option: string, owner: string, type: string): void {
  if (value === undefined || typeof value === type) return;
  throw new ConfigError(
    option,
    `${owner}: ${option} must be a ${type}; got ${describeValue(value)}.`,
  );
}
