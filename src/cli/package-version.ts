import { readFileSync } from "node:fs";

/**
 * switchboard's version from its package.json, which sits two levels above this module
 * both as source (`src/cli/`) and built (`dist/cli/`).
 */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
