import { latestEmulatorTime } from "../clock.js";

/** Twilio's REST date format: ISO-8601 in UTC without milliseconds. */
export function restDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The first millisecond of the year 0000, the earliest date with a four-digit year. */
const earliestRestDate = Date.parse("0000-01-01T00:00:00.000Z");

/**
 * Parses a REST date parameter (`DateCreated`, `StartDate`…); undefined if malformed or
 * outside the four-digit years Twilio's dates are written in (`+275760-09-13T00:00:00Z`
 * parses, but would come back in a form other SDKs cannot read).
 */
export function parseRestDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < earliestRestDate || ms > latestEmulatorTime ? undefined : ms;
}
