import {
  maskPersonalAddress,
  maskPhoneNumbersInText,
  redactUrlCredentials,
} from "./mask-phone-numbers.js";

/** What the sanitizer does to one log call. */
export interface SanitizeOptions {
  /** Mask phone numbers and addresses; `false` only for debug lines when allowed. */
  maskNumbers: boolean;
}

/** The value secret fields are replaced with. */
export const redactedValue = "[redacted]";

/**
 * Field names whose value is a secret at any depth (compared case-insensitively without
 * `_` and `-`): the Twilio Auth Token and API key secret, passwords, HTTP authorization and
 * cookies, the console token, bearer and access tokens.
 */
const secretKeys = new Set([
  "authtoken",
  "apikeysecret",
  "password",
  "passwd",
  "secret",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "token",
  "accesstoken",
  "refreshtoken",
  "consoletoken",
  "apikey",
  "xtwiliosignature",
]);

/**
 * Field names that hold a customer's address or identity: a phone number, `whatsapp:+…`
 * or an email address in them is masked whole; operator, bot and `visitor-…` identities
 * are kept, since they name no person (see `maskPersonalAddress`).
 */
const addressKeys = new Set([
  "from",
  "to",
  "author",
  "address",
  "proxyaddress",
  "customer",
  "customeraddress",
  "identity",
  "phone",
  "phonenumber",
  "number",
  "recipient",
  "sender",
]);

const normalizeKey = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

/** Objects nested deeper than this are cut: logs are not the place for whole payloads. */
const maxDepth = 8;

/**
 * A copy of `value` fit for a log line: secrets replaced with `[redacted]`, connection
 * string passwords hidden, and — when `maskNumbers` — addresses in known fields masked and
 * phone numbers inside any string masked. Errors become plain objects (type, message,
 * code, stack, cause) so their text is sanitized too. Never mutates its input.
 */
export function sanitizeLogValue(value: unknown, options: SanitizeOptions): unknown {
  return sanitize(value, options, 0, new WeakSet());
}

function sanitize(
  value: unknown,
  options: SanitizeOptions,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (typeof value === "string") return sanitizeText(value, options);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= maxDepth) return "[too deep]";
  seen.add(value);
  try {
    if (value instanceof Error) return sanitizeError(value, options, depth, seen);
    if (Array.isArray(value)) return value.map((item) => sanitize(item, options, depth + 1, seen));
    if (value instanceof Date || value instanceof URL) return sanitizeText(String(value), options);
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      copy[key] = sanitizeField(key, field, options, depth, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

function sanitizeField(
  key: string,
  field: unknown,
  options: SanitizeOptions,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  const normalized = normalizeKey(key);
  if (secretKeys.has(normalized) && field !== undefined && field !== null) return redactedValue;
  if (options.maskNumbers && addressKeys.has(normalized) && typeof field === "string") {
    return maskPersonalAddress(field);
  }
  return sanitize(field, options, depth + 1, seen);
}

function sanitizeError(
  error: Error,
  options: SanitizeOptions,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const plain: Record<string, unknown> = {
    type: error.name,
    message: sanitizeText(error.message, options),
  };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) plain.code = code;
  if (error.stack !== undefined) plain.stack = sanitizeText(error.stack, options);
  if (error.cause !== undefined) plain.cause = sanitize(error.cause, options, depth + 1, seen);
  return plain;
}

/** Hides URL passwords always, and phone numbers when masking. */
export function sanitizeText(text: string, options: SanitizeOptions): string {
  const withoutCredentials = redactUrlCredentials(text);
  return options.maskNumbers ? maskPhoneNumbersInText(withoutCredentials) : withoutCredentials;
}
