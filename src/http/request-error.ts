import { SwitchboardError } from "../errors.js";

/**
 * A request an HTTP face (web chat, console) refuses. `status` and `code` go to the client as
 * `{ error: { code, message } }`, so the message must never contain secrets.
 */
export class RequestError extends SwitchboardError {
  /** The HTTP status to answer with. */
  readonly status: number;
  /** For 429: seconds until a retry can succeed (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  /** Extra response headers (e.g. `Allow` for 405). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(code, message, { isRetryable: status === 429 || status >= 500 });
    this.status = status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}
