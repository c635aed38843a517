import { twilioErrors } from "../http/twilio-errors.js";

/** Twilio's attribute size limits, in bytes of the JSON string. */
export const attributeLimits = {
  conversation: 16 * 1024,
  participant: 4 * 1024,
  message: 4 * 1024,
  user: 16 * 1024,
};

/** Validates an `Attributes` value (must be JSON, within `limit` bytes); undefined → `"{}"`. */
export function checkAttributes(value: string | undefined, limit: number): string {
  if (value === undefined) return "{}";
  if (Buffer.byteLength(value, "utf8") > limit) throw twilioErrors.attributesTooLarge(limit);
  try {
    JSON.parse(value);
  } catch {
    throw twilioErrors.attributesNotJson();
  }
  return value;
}

const durationPattern =
  /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * The longest conversation timer: 100 years. Twilio documents only minimums; without a
 * maximum, `PT99999999999H` put the due date past any valid `Date`, and the conversation
 * (stored before its JSON failed) broke every later list. A timer measured from the
 * clock's latest time (`latestEmulatorTime`, year 9999) plus 100 years is still a valid date.
 */
export const maximumTimer = { ms: 36_500 * 86_400_000, text: "P36500D" } as const;

/**
 * Milliseconds of an ISO-8601 duration such as `PT10M` or `P1DT2H`; undefined if malformed
 * or longer than `maximumTimer` (so a timer saved by an older version that allowed one is
 * ignored rather than breaking every read of its conversation).
 */
export function durationMs(value: string): number | undefined {
  const match = durationPattern.exec(value);
  if (!match || value === "P" || value.endsWith("T")) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  return ms <= maximumTimer.ms ? ms : undefined;
}

/**
 * Checks a timer duration against Twilio's minimum (PT1M inactive, PT10M closed) and the
 * emulator's maximum (`maximumTimer`): 400 / 50398 naming the field otherwise.
 */
export function checkTimer(
  name: string,
  value: string,
  minimumMs: number,
  minimum: string,
): string {
  const ms = durationMs(value);
  if (ms === undefined || ms < minimumMs)
    throw twilioErrors.invalidTimer(name, minimum, maximumTimer.text);
  return value;
}

export const timerMinimums = {
  inactive: { ms: 60_000, text: "PT1M" },
  closed: { ms: 600_000, text: "PT10M" },
} as const;
