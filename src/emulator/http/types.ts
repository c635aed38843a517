import type { IncomingHttpHeaders } from "node:http";

/** One HTTP request as every emulator route sees it: parsed once, raw body kept. */
export interface EmulatorRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The URL as the emulator received it (its own host and port). */
  url: URL;
  /** `url.pathname`, for convenience. */
  path: string;
  query: URLSearchParams;
  /** The form-encoded body; repeated keys are kept and dotted names stay literal keys. Empty for other bodies. */
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Values captured by `:name` (or `{name}`) segments of the route pattern, percent-decoded. */
  params: Record<string, string>;
  /** The emulated account (Basic auth is checked before any non-public handler). */
  accountSid: string;
}

/** What a route answers. A `Buffer` body is sent as is; anything else (but `undefined`) as JSON. */
export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers one routed request; throw `EmulatorRestError` for a Twilio-shaped error. */
export type EmulatorHandler = (
  request: EmulatorRequest,
) => EmulatorResponse | Promise<EmulatorResponse>;

/**
 * A route. `pattern` is a path such as `/v1/Services/:serviceSid/Media`; `:name` segments
 * match one path segment. Modules built elsewhere (Content API, media, `/_emulator/*`)
 * are mounted as arrays of these without touching the router.
 */
export interface EmulatorRoute {
  /** Upper-case HTTP method. */
  method: string;
  /** `:name` or `{name}` segments capture one path segment. */
  pattern: string;
  handler: EmulatorHandler;
  /** Served without Basic auth (signed temporary media URLs, the emulator's own pages). */
  public?: boolean;
  /**
   * Largest request body read for this route (413 beyond it); 1 MiB when unset, which is
   * far above any form-encoded Twilio REST body. Media upload sets its own.
   */
  maximumBodyBytes?: number;
}

/**
 * Runs after authentication and before routing; answering a response short-circuits the
 * request (how REST fault injection plugs in). `undefined` lets the request through.
 */
export type EmulatorPreHook = (
  request: EmulatorRequest,
) => EmulatorResponse | undefined | Promise<EmulatorResponse | undefined>;
