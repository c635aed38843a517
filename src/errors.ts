/**
 * The base of every error switchboard throws. Errors are classes with a stable `code`
 * (never a message to match on), a `cause`, and `isRetryable` so callers can decide what
 * to do without parsing text. Boundary-specific errors (Twilio, mailbox, config) extend it.
 */
export class SwitchboardError extends Error {
  /** Stable, machine-readable identifier, e.g. `"invalid_credentials"`. */
  readonly code: string;
  /** Whether repeating the same operation later may succeed. */
  readonly isRetryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; isRetryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }

  /**
   * `instanceof` that survives two copies of switchboard in one process (a library and an
   * app each installing it): the marker is registered globally with `Symbol.for`.
   */
  static isSwitchboardError(value: unknown): value is SwitchboardError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[marker] === true
    );
  }
}

const marker = Symbol.for("switchboard.error");
Object.defineProperty(SwitchboardError.prototype, marker, { value: true });

/** A configuration value is missing or malformed; the message names the option and variable. */
export class ConfigError extends SwitchboardError {
  /** The option name as written in code, e.g. `accountSid`. */
  readonly option: string;
  constructor(option: string, message: string, options: { cause?: unknown } = {}) {
    super("invalid_config", message, options);
    this.option = option;
  }
}
