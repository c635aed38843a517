import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../errors.js";

/**
 * The key that signs visitor tokens, kept in a file (created with 32 random bytes, owner
 * read/write only, on first use) so visitors stay signed in across restarts. A file that
 * exists but holds less than 32 bytes of key is refused rather than silently replaced,
 * which would log every visitor out.
 */
export function loadWebchatSecret(path: string): string {
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text !== undefined) {
    if (!/^[0-9a-f]{64,}$/i.test(text))
      throw new ConfigError(
        "webchatSecret",
        `${path} must hold at least 64 hex digits (32 bytes); delete it to generate a new one (visitors are signed out).`,
      );
    return text;
  }
  const secret = randomBytes(32).toString("hex");
  mkdirSync(dirname(path), { recursive: true });
  // `wx`: if another process created it meanwhile, keep theirs.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadWebchatSecret(path);
    throw error;
  }
  return secret;
}
