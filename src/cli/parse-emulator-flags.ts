import { CliUsageError } from "./cli-usage-error.js";

/** What `switchboard emulator` was asked for. */
export interface EmulatorFlags {
  port: number;
  host: string;
  webhookUrl?: string;
  /** `--state <path>`: keep the emulator's state in this file across restarts. */
  statePath?: string;
}

export const defaultEmulatorPort = 4010;
export const defaultEmulatorHost = "127.0.0.1";

/**
 * Parses `[--port N] [--host H] [--webhook-url URL] [--state PATH]` (also `--flag=value`). Throws
 * {@link CliUsageError} naming the flag for anything unknown, repeated or malformed.
 */
export function parseEmulatorFlags(argv: readonly string[]): EmulatorFlags {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith("--")) throw new CliUsageError(`unexpected argument "${argument}"`);
    const equals = argument.indexOf("=");
    const name = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
    if (!["port", "host", "webhook-url", "state"].includes(name))
      throw new CliUsageError(`unknown flag --${name}`);
    if (values.has(name)) throw new CliUsageError(`--${name} given twice`);
    let value: string | undefined;
    if (equals !== -1) value = argument.slice(equals + 1);
    else {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value === "" || (equals === -1 && value.startsWith("--")))
      throw new CliUsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  const flags: EmulatorFlags = {
    port: parsePort(values.get("port") ?? String(defaultEmulatorPort), "--port"),
    host: values.get("host") ?? defaultEmulatorHost,
  };
  const webhookUrl = values.get("webhook-url");
  if (webhookUrl !== undefined) flags.webhookUrl = parseWebhookUrl(webhookUrl);
  const statePath = values.get("state");
  if (statePath !== undefined) flags.statePath = statePath;
  return flags;
}

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(value: string, name: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535)
    throw new CliUsageError(`${name} must be a port number from 0 to 65535, not "${value}"`);
  return Number(value);
}

function parseWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`--webhook-url must be an absolute http(s) URL, not "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CliUsageError(`--webhook-url must be an http(s) URL, not "${value}"`);
  return value;
}
