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

/** The environment variable that sets the visitor-token key for every instance at once. */
export const webchatSecretVariable = "SWITCHBOARD_WEBCHAT_SECRET";

const minimumSecretBytes = 32;

/**
 * The key from `SWITCHBOARD_WEBCHAT_SECRET`, or `undefined` when it is unset or blank.
 * Surrounding whitespace is dropped (a trailing newline from a secrets file is common); a
 * value under 32 bytes or with control characters is refused without echoing it.
 */
export function webchatSecretFromEnv(
  environment: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const value = environment[webchatSecretVariable]?.trim();
  if (value === undefined || value === "") return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new ConfigError(
      "webchatSecret",
      `${webchatSecretVariable} contains a control character; use a printable value such as the output of \`openssl rand -hex 32\`.`,
    );
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes < minimumSecretBytes)
    throw new ConfigError(
      "webchatSecret",
      `${webchatSecretVariable} must be at least ${minimumSecretBytes} bytes, got ${bytes}; generate one with \`openssl rand -hex 32\` and give every instance the same value.`,
    );
  return value;
}

/**
 * The part of a shared mailbox the key is kept in (structurally a `MailboxStore`): its meta
 * table, and its cross-process lock when it has one.
 */
export interface WebchatSecretStore {
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  withLock?<T>(
    name: string,
    work: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

/** The meta key the shared key is stored under. */
export const webchatSecretMetaKey = "webchat-secret";

/** Options of {@link loadSharedWebchatSecret}. */
export interface LoadSharedWebchatSecretOptions {
  /** How long to keep trying while another instance holds the lock. Default 10 000 ms. */
  timeoutMs?: number;
  sleep?: (milliseconds: number) => Promise<void>;
}

/**
 * The key kept in a mailbox every instance shares (PostgreSQL), created once: instances on
 * different machines then sign and accept the same visitor tokens, so a visitor whose
 * requests land on another instance stays signed in. Creation runs under the store's lock and
 * reads again after taking it, so two instances starting together agree on one key; while
 * another instance holds the lock, this one waits and reads what it wrote.
 */
export async function loadSharedWebchatSecret(
  store: WebchatSecretStore,
  options: LoadSharedWebchatSecretOptions = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sleep =
    options.sleep ??
    ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  const read = async () => {
    const stored = await store.getMeta(webchatSecretMetaKey);
    if (stored === null) return undefined;
    if (!/^[0-9a-f]{64,}$/i.test(stored))
      throw new ConfigError(
        "webchatSecret",
        `The web chat key stored in the mailbox (meta "${webchatSecretMetaKey}") is malformed; delete that row to generate a new one (visitors are signed out), or set ${webchatSecretVariable}.`,
      );
    return stored;
  };
  const create = async () => {
    const again = await read();
    if (again !== undefined) return again;
    const secret = randomBytes(32).toString("hex");
    await store.setMeta(webchatSecretMetaKey, secret);
    return secret;
  };
  for (let waited = 0; ; waited += 50) {
    const existing = await read();
    if (existing !== undefined) return existing;
    if (store.withLock === undefined) return create();
    const outcome = await store.withLock(webchatSecretMetaKey, create);
    if (outcome.acquired) return outcome.value;
    if (waited >= timeoutMs)
      throw new ConfigError(
        "webchatSecret",
        `Another instance held the web chat key lock for over ${timeoutMs} ms; set ${webchatSecretVariable} to the same value on every instance, or retry.`,
      );
    await sleep(50);
  }
}
