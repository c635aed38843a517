import { type DestinationStream, type Level, type Logger as PinoLogger, pino } from "pino";
import { ConfigError } from "../errors.js";
import { formatPrettyLine, type PrettyLineOptions } from "./format-pretty-line.js";
import { sanitizeLogValue, sanitizeText } from "./sanitize-log-fields.js";

/**
 * switchboard's logger: a pino logger. It fits wherever a `TwilioLogger` is asked for
 * (pino-style `debug/info/warn/error(fields, message)`).
 */
export type Logger = PinoLogger<never>;

/** The environment variable that allows full phone numbers in debug lines. */
export const fullNumbersVariable = "SWITCHBOARD_LOG_FULL_NUMBERS";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. Env `LOG_LEVEL`. Default `"info"`. */
  level?: Level | "silent";
  /**
   * One human-readable line per record instead of JSON (for a terminal). Default `false`:
   * JSON lines, what log collectors expect.
   */
  pretty?: boolean;
  /**
   * Colour the pretty lines (level, time, field names) with ANSI codes. Default `false`;
   * the CLI turns it on for a terminal (see `logFormatFor`). Ignored for JSON.
   */
  colour?: boolean;
  /** Where lines go; default standard output. Tests pass a stream and read it back. */
  destination?: DestinationStream | NodeJS.WritableStream;
  /**
   * Keep phone numbers whole in `debug` and `trace` lines (never at `info` and above, and
   * never in child-logger bindings). Default: `SWITCHBOARD_LOG_FULL_NUMBERS=1` in `env`.
   */
  fullNumbersAtDebug?: boolean;
  /** Read for `LOG_LEVEL` and `SWITCHBOARD_LOG_FULL_NUMBERS`; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Fields on every line, e.g. `{ service: "switchboard" }`. Default none (no pid/hostname). */
  base?: Record<string, unknown>;
}

const levels: readonly string[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

function readLevel(env: Readonly<Record<string, string | undefined>>): Level | "silent" {
  const value = env.LOG_LEVEL?.trim().toLowerCase();
  if (value === undefined || value === "") return "info";
  if (!levels.includes(value)) {
    throw new ConfigError(
      "level",
      `LOG_LEVEL must be one of ${levels.join(", ")}; got "${value.slice(0, 40)}".`,
    );
  }
  return value as Level | "silent";
}

/** pino's number for `info`; lines below it may keep full numbers when allowed. */
const infoLevel = 30;

/**
 * Creates the structured logger. Every line is sanitized before pino serializes it:
 * secrets (Auth Token, API key secret, passwords, authorization headers, cookies, tokens)
 * are `[redacted]` at every level and depth; connection-string passwords become `***`;
 * customer addresses in known fields (`from`, `to`, `author`, `address`, `customer`, …)
 * and phone numbers inside any string (messages included) are masked as `+1555***0001`.
 *
 * Why masking happens in a `logMethod` hook rather than with pino's `redact` paths: the
 * numbers sit at unknown depths and inside free text (error messages), which path-based
 * redaction cannot reach.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const level = options.level ?? readLevel(env);
  const fullNumbersAtDebug = options.fullNumbersAtDebug ?? env[fullNumbersVariable] === "1";
  // pino's own destination for standard output: synchronous writes, so the last lines
  // before a crash or exit are not lost in a buffer.
  // Pretty lines show an error as one line; its stack only when debugging.
  const destination = options.pretty
    ? prettyDestination(options.destination ?? process.stdout, {
        colour: options.colour === true,
        stacks: level === "debug" || level === "trace",
      })
    : (options.destination ?? pino.destination(1));

  const logger = pino(
    {
      level,
      // Errors are already plain, sanitized objects (see sanitizeLogValue); pino's own
      // error serializer would re-read them and append the cause to the message.
      serializers: { err: (value: unknown) => value },
      base:
        options.base === undefined
          ? null
          : (sanitizeLogValue(options.base, { maskNumbers: true }) as Record<string, unknown>),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
      },
      hooks: {
        logMethod(args, method, level) {
          const maskNumbers = !(fullNumbersAtDebug && level < infoLevel);
          const sanitized = sanitizeArguments(args as unknown[], maskNumbers);
          (method as (...values: unknown[]) => void).apply(this, sanitized);
        },
      },
    },
    destination as DestinationStream,
  ) as Logger;
  return withSanitizedChildren(logger);
}

/**
 * pino writes child bindings without passing them through `logMethod`, so `child()` is
 * wrapped to sanitize them first. Bindings have no level, so they are always masked.
 */
function withSanitizedChildren(logger: Logger): Logger {
  const child = logger.child.bind(logger) as unknown as (
    bindings: Record<string, unknown>,
    options?: object,
  ) => Logger;
  const sanitizedChild = (bindings: Record<string, unknown>, childOptions?: object) =>
    withSanitizedChildren(
      child(
        sanitizeLogValue(bindings, { maskNumbers: true }) as Record<string, unknown>,
        childOptions,
      ),
    );
  logger.child = sanitizedChild as unknown as Logger["child"];
  return logger;
}

function sanitizeArguments(args: readonly unknown[], maskNumbers: boolean): unknown[] {
  const options = { maskNumbers };
  const [first, ...rest] = args;
  const text = (value: unknown) =>
    typeof value === "string" ? sanitizeText(value, options) : value;
  if (first instanceof Error) {
    // pino would take the message from the Error; keep that behaviour on the sanitized copy.
    const err = sanitizeLogValue(first, options) as { message: string };
    return rest.length === 0 ? [{ err }, err.message] : [{ err }, ...rest.map(text)];
  }
  if (typeof first === "object" && first !== null) {
    const fields = sanitizeLogValue(first, options) as Record<string, unknown>;
    return [fields, ...rest.map(text)];
  }
  return args.map(text);
}

function prettyDestination(
  target: DestinationStream | NodeJS.WritableStream,
  options: PrettyLineOptions,
): DestinationStream {
  return {
    write(line: string) {
      target.write(`${formatPrettyLine(line, options)}\n`);
    },
  };
}
