/** Twilio's REST date format: ISO-8601 in UTC without milliseconds. */
export function restDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Parses a REST date parameter (`DateCreated`, `StartDate`…); undefined if malformed. */
export function parseRestDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
