import { ConfigError } from "../errors.js";

/** The environment variable that forces the log format: `json` or `pretty`. */
export const logFormatVariable = "LOG_FORMAT";

const formats: readonly string[] = ["json", "pretty"];

/**
 * How the CLI writes logs to `stream`: readable and coloured lines for a person at a
 * terminal, JSON lines for anything else (a file, a pipe, a log collector). `LOG_FORMAT`
 * (`json` or `pretty`) overrides the guess; any other value is refused with a
 * `ConfigError` naming it, as `LOG_LEVEL` is, rather than silently guessed over. `NO_COLOR`
 * turns colour off and `FORCE_COLOR` on, as most command-line tools do.
 */
export function logFormatFor(
  env: Readonly<Record<string, string | undefined>>,
  stream: { isTTY?: boolean | undefined },
): { pretty: boolean; colour: boolean } {
  const format = env[logFormatVariable]?.trim().toLowerCase();
  if (format !== undefined && format !== "" && !formats.includes(format)) {
    throw new ConfigError(
      "logFormat",
      `${logFormatVariable} must be one of ${formats.join(", ")}; got "${format.slice(0, 40)}".`,
    );
  }
  const terminal = stream.isTTY === true;
  const pretty = format === "pretty" ? true : format === "json" ? false : terminal;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const refused = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return { pretty, colour: pretty && !refused && (terminal || forced) };
}
