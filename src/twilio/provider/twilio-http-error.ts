/**
 * A non-2xx answer from Twilio, thrown by the provider's request client in place of the
 * SDK's `RestException`. It carries the same fields (`status`, `code`, `message`,
 * `moreInfo`, `details`, and `title`/`detail` for RFC 9457 bodies) plus the `Retry-After`
 * header, which the SDK drops. Internal: `toSwitchboardError` turns it into a typed error.
 */
export class TwilioHttpError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  readonly moreInfo: string | undefined;
  readonly details: unknown;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  /** The raw `Retry-After` header, when Twilio sent one. */
  readonly retryAfter: string | undefined;
  /** Upper-case HTTP method of the failed request, e.g. `POST`. */
  readonly method: string;
  /** The request URL (never credentials). */
  readonly url: string;

  constructor(
    response: { statusCode: number; body: unknown; headers: unknown },
    method: string,
    url: string,
  ) {
    const body = readBody(response.body);
    super(
      (typeof body.message === "string" && body.message) ||
        (typeof body.detail === "string" && body.detail) ||
        `[HTTP ${response.statusCode}] Failed to execute request`,
    );
    this.name = "TwilioHttpError";
    this.status = response.statusCode;
    this.code = typeof body.code === "number" ? body.code : undefined;
    this.moreInfo = typeof body.more_info === "string" ? body.more_info : undefined;
    this.details = body.details;
    this.title = typeof body.title === "string" ? body.title : undefined;
    this.detail = typeof body.detail === "string" ? body.detail : undefined;
    this.retryAfter = header(response.headers, "retry-after");
    this.method = method;
    this.url = url;
  }
}

function readBody(body: unknown): Record<string, unknown> {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const record = headers as Record<string, unknown>;
  const value =
    record[name] ?? record[name.replace(/(^|-)([a-z])/g, (match) => match.toUpperCase())];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? value : undefined;
}
