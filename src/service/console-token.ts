import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DatabaseLocation } from "../config/parse-database-url.js";
import { ConfigError } from "../errors.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";

/** The environment variable that sets the console token. */
export const consoleTokenVariable = "SWITCHBOARD_CONSOLE_TOKEN";

/** 16 random bytes in base64url are 22 characters; nothing shorter is accepted. */
export const minimumConsoleTokenLength = 22;

/** The meta key a shared (PostgreSQL) mailbox keeps a generated console token under. */
export const consoleTokenMetaKey = "console-token";

/** The console token in effect, and whether it was created by this start (print it once). */
export interface ConsoleTokenChoice {
  token: string;
  generated: boolean;
  /** Where a generated or kept token lives, for the banner; `undefined` when given. */
  storedIn: string | undefined;
}

/**
 * Checks a token the operator chose: at least 22 characters (16 random bytes in base64url)
 * of printable, non-space ASCII. The message never echoes the value.
 */
export function checkConsoleToken(token: string): string {
  if (token.length < minimumConsoleTokenLength || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError(
      "consoleToken",
      `${consoleTokenVariable} must be at least ${minimumConsoleTokenLength} printable characters without spaces (16 random bytes); generate one with \`openssl rand -base64 24\`, or unset it to have serve generate and keep one.`,
    );
  }
  return token;
}

/**
 * The console token for `serve` (always required, whatever the bind address: a reverse
 * proxy makes every request look local). Given: checked and used. Missing: the one kept
 * beside the mailbox — a 0600 file next to the SQLite database, or a meta row of the shared
 * PostgreSQL mailbox (created under its lock, so instances agree) — created once.
 */
export async function resolveConsoleToken(
  given: string | undefined,
  database: DatabaseLocation,
  mailbox: Pick<MailboxStore, "getMeta" | "setMeta" | "withLock">,
): Promise<ConsoleTokenChoice> {
  if (given !== undefined && given !== "") {
    return { token: checkConsoleToken(given), generated: false, storedIn: undefined };
  }
  if (database.kind === "sqlite") {
    const path = join(dirname(database.path), "console-token");
    return { ...fileToken(path), storedIn: path };
  }
  const storedIn = `the mailbox (meta "${consoleTokenMetaKey}")`;
  const read = async () => {
    const stored = await mailbox.getMeta(consoleTokenMetaKey);
    return stored === null ? undefined : checkKept(stored, storedIn);
  };
  for (let waited = 0; waited < 10_000; waited += 50) {
    const existing = await read();
    if (existing !== undefined) return { token: existing, generated: false, storedIn };
    const create = async () => {
      const again = await read();
      if (again !== undefined) return { token: again, generated: false };
      const token = newToken();
      await mailbox.setMeta(consoleTokenMetaKey, token);
      return { token, generated: true };
    };
    if (mailbox.withLock === undefined) return { ...(await create()), storedIn };
    const outcome = await mailbox.withLock(consoleTokenMetaKey, create);
    if (outcome.acquired) return { ...outcome.value, storedIn };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new ConfigError(
    "consoleToken",
    `Another instance held the console token lock for over 10 s; set ${consoleTokenVariable} on every instance, or retry.`,
  );
}

function newToken(): string {
  return randomBytes(24).toString("base64url");
}

function fileToken(path: string): { token: string; generated: boolean } {
  try {
    return { token: checkKept(readFileSync(path, "utf8").trim(), path), generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const token = newToken();
  mkdirSync(dirname(path), { recursive: true });
  try {
    // `wx`: if another process created it meanwhile, keep theirs.
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return fileToken(path);
    throw error;
  }
  return { token, generated: true };
}

function checkKept(token: string, where: string): string {
  if (token.length < minimumConsoleTokenLength || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError(
      "consoleToken",
      `The console token kept in ${where} is malformed; delete it to generate a new one, or set ${consoleTokenVariable}.`,
    );
  }
  return token;
}
