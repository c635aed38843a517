import { ConfigError } from "./errors.js";

/**
 * Throws `ConfigError` naming the first key of `value` that is not in `known` (with the
 * nearest known key when one is close): in plain JavaScript a misspelt option is otherwise
 * silently ignored and its default used. `where` prefixes the key (`"catchUp."`); `owner`
 * is what takes the options (`createSwitchboard`, `new TwilioProvider`).
 */
export function refuseUnknownOptions(
  value: unknown,
  known: Readonly<Record<string, unknown>>,
  where = "",
  owner = "createSwitchboard",
): void {
  if (typeof value !== "object" || value === null) return;
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(known, key)) continue;
    const near = Object.keys(known).find(
      (candidate) => candidate.toLowerCase() === key.toLowerCase() || closeTo(candidate, key),
    );
    throw new ConfigError(
      `${where}${key}`,
      `${where}${key} is not an option of ${owner}${near === undefined ? "" : `; did you mean ${where}${near}?`}`,
    );
  }
}

/** One edit apart (a letter missing, extra, changed or two swapped): a typo. */
function closeTo(left: string, right: string): boolean {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const restA = a.slice(start, endA);
  const restB = b.slice(start, endB);
  if (restA.length <= 1 && restB.length <= 1) return true;
  return restA.length === 2 && restB.length === 2 && restA[0] === restB[1] && restA[1] === restB[0];
}
