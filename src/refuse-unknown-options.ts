import { ConfigError } from "./errors.js";
import { nearestName } from "./nearest-name.js";

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
    const near = nearestName(key, Object.keys(known));
    throw new ConfigError(
      `${where}${key}`,
      `${where}${key} is not an option of ${owner}${near === undefined ? "" : `; did you mean ${where}${near}?`}`,
    );
  }
}
