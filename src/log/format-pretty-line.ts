/**
 * Turns one JSON log line into `12:00:01 INFO  message key=value …` for a terminal. A line
 * that is not JSON is returned unchanged, so nothing is ever lost.
 */
export function formatPrettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const { time, level, msg, ...fields } = record;
  const clock = typeof time === "string" ? time.slice(11, 19) : "";
  const label = String(level ?? "")
    .toUpperCase()
    .padEnd(5);
  const pairs = Object.entries(fields).map(
    ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
  );
  return [clock, label, typeof msg === "string" ? msg : "", ...pairs]
    .filter((part) => part !== "")
    .join(" ");
}
