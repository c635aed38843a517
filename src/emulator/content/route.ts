/**
 * The handler shape the emulator's router calls, shared by the content, media and
 * inspector folders. Declared here so they stand alone until the router lands; the types
 * are structural, so the router's own request type fits as long as it has these fields.
 */
export interface RouteRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The path without the query string, e.g. `/v1/Content/HX…`. */
  path: string;
  /** Path parameters captured by the route pattern, e.g. `{ sid: "HX…" }`. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed form body (empty unless the body was `application/x-www-form-urlencoded`). */
  form: URLSearchParams;
  /** Node's lower-cased request headers. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received. */
  rawBody: Buffer;
  /** The account the server authenticated (Basic auth is checked before any handler). */
  accountSid: string;
}

/** What a handler answers: a `Buffer` body is sent as is, anything else as JSON. */
export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: RouteRequest) => RouteResponse | Promise<RouteResponse>;

/** One entry of a routing table: `pattern` uses `{name}` segments, e.g. `/v1/Content/{sid}`. */
export interface Route {
  method: string;
  pattern: string;
  handler: RouteHandler;
  /**
   * `true` for the few routes Twilio serves without Basic auth (a signed temporary media
   * URL, the emulator's own pages). The router skips authentication for these only.
   */
  public?: boolean;
  /** Largest request body the server reads for this route (see `EmulatorRoute`). */
  maximumBodyBytes?: number;
}

/**
 * Twilio's REST error body (`code`, `message`, `more_info`, `status`), which twilio-node
 * turns into a `RestException`.
 */
export function twilioError(status: number, code: number, message: string): RouteResponse {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}
