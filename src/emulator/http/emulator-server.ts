import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, isIP } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { restFaultResponse } from "../faults/apply-rest-fault.js";
import type { RestFaultEngine } from "../faults/fault-rule-set.js";
import { EmulatorRestError, RejectedActionError, twilioErrorResponse } from "./rest-error.js";
import { Router } from "./router.js";
import { twilioErrors } from "./twilio-errors.js";
import type { EmulatorPreHook, EmulatorRequest, EmulatorResponse, EmulatorRoute } from "./types.js";

/**
 * Largest body read for a route that sets no cap of its own: far above any form-encoded
 * Twilio REST body. Media upload (up to 150 MB on Twilio) sets its own cap on its route.
 */
export const defaultMaximumBodyBytes = 1024 * 1024;

/** Paths under this prefix are the emulator's own control API and skip Basic auth. */
export const controlPrefix = "/_emulator/";

/** A handler that writes to the Node response itself (streams). */
export type RawHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => void;

/** Where the emulator reports its own failures; a switchboard (pino) logger fits as is. */
export interface EmulatorLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

export interface EmulatorServerOptions {
  accountSid: string;
  /** Decides whether an `Authorization` header is valid for the emulated account. */
  authenticate: (authorization: string | undefined) => boolean;
  /** Told of every unexpected error answered with 500 (a bug, or state it cannot read). */
  logger: EmulatorLogger;
}

/** The emulator's HTTP server: auth, pre-hooks, routing and Twilio-shaped errors. */
export class EmulatorServer {
  readonly #router = new Router();
  readonly #preHooks: EmulatorPreHook[] = [];
  readonly #options: EmulatorServerOptions;
  readonly #server: Server;
  readonly #rawRoutes = new Map<string, RawHandler>();
  #restFaults: RestFaultEngine | undefined;
  /** Aborted by `close()`, ending delay faults still holding requests. */
  readonly #closing = new AbortController();

  constructor(options: EmulatorServerOptions) {
    this.#options = options;
    this.#server = createServer((incoming, outgoing) => {
      this.#handle(incoming, outgoing).catch((error: unknown) => {
        const path = new URL(incoming.url ?? "/", "http://emulator").pathname;
        this.#logUnexpected(`${(incoming.method ?? "GET").toUpperCase()} ${path}`, error);
        if (!outgoing.headersSent) outgoing.writeHead(500);
        outgoing.end();
      });
    });
  }

  /** Adds routes; later modules (content, media, control) mount here without editing the router. */
  mount(routes: readonly EmulatorRoute[]): void {
    this.#router.mount(routes);
  }

  /** Adds a hook run after auth and before routing (REST fault injection). */
  addPreHook(hook: EmulatorPreHook): () => void {
    this.#preHooks.push(hook);
    return () => {
      const index = this.#preHooks.indexOf(hook);
      if (index >= 0) this.#preHooks.splice(index, 1);
    };
  }

  /**
   * Serves `method path` with a handler that writes to the Node response itself, before
   * the body is read (for streams such as the inspector's Server-Sent Events).
   */
  addRawRoute(method: string, path: string, handler: RawHandler): void {
    this.#rawRoutes.set(`${method.toUpperCase()} ${path}`, handler);
  }

  /**
   * Injects REST faults: after authentication, for every path outside `/_emulator/`, the
   * engine may delay, fail, reset the connection, or run the request and then fail it.
   */
  setRestFaults(engine: RestFaultEngine): void {
    this.#restFaults = engine;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const path = new URL(incoming.url ?? "/", "http://emulator").pathname;
    if (path.startsWith(controlPrefix)) {
      const refusal = foreignControlRequest(incoming);
      if (refusal !== undefined) {
        sendAndClose(outgoing, {
          status: 403,
          body: { code: "forbidden", message: refusal },
          headers: {},
        });
        return;
      }
    }
    const raw = this.#rawRoutes.get(`${(incoming.method ?? "GET").toUpperCase()} ${path}`);
    if (raw) return raw(incoming, outgoing);
    // Route and auth are decided before the body is read, so an unauthenticated or
    // oversized request costs no buffering: it is answered and its connection closed.
    const method = (incoming.method ?? "GET").toUpperCase();
    const match = this.#router.match(method, path);
    const isPublic = match.kind === "found" && match.route.public === true;
    if (!isPublic && !path.startsWith(controlPrefix)) {
      if (!this.#options.authenticate(incoming.headers.authorization)) {
        const response = twilioErrors.authenticate().toResponse();
        sendAndClose(outgoing, {
          ...response,
          headers: { "WWW-Authenticate": 'Basic realm="Twilio API"' },
        });
        return;
      }
    }
    const limit =
      (match.kind === "found" ? match.route.maximumBodyBytes : undefined) ??
      defaultMaximumBodyBytes;
    let request: EmulatorRequest;
    try {
      request = await readRequest(incoming, this.#options.accountSid, limit);
    } catch (error) {
      sendAndClose(outgoing, errorToResponse(error));
      return;
    }
    const fault = this.#faultFor(request);
    switch (fault?.kind) {
      case "delay":
        // A caller giving up does not cancel the request (as on Twilio); only close() does.
        try {
          await sleep(fault.delayMs, undefined, { signal: this.#closing.signal });
        } catch {
          outgoing.socket?.destroy();
          return;
        }
        break;
      case "status":
        send(outgoing, restFaultResponse(fault.status, fault.code, fault.retryAfter));
        return;
      case "reset":
        outgoing.socket?.destroy();
        return;
      case "commitThenStatus":
      case "commitThenReset":
        // The write happens; its answer is dropped: the ambiguous failure senders must survive.
        await this.#respondSafely(request);
        if (fault.kind === "commitThenReset") outgoing.socket?.destroy();
        else send(outgoing, restFaultResponse(fault.status, fault.code, fault.retryAfter));
        return;
      default:
        break;
    }
    send(outgoing, await this.#respondSafely(request));
  }

  async #respondSafely(request: EmulatorRequest): Promise<EmulatorResponse> {
    let response: EmulatorResponse;
    try {
      response = await this.#respond(request);
    } catch (error) {
      response = errorToResponse(error);
      if (response.status === 500) this.#logUnexpected(this.#routeName(request), error);
    }
    return namingRequestedPath(response, request.path);
  }

  /**
   * The route as its pattern (`GET /v1/Conversations/:sid`), so a log line names what
   * failed without the addresses or names a path may carry; the path when none matched.
   */
  #routeName(request: EmulatorRequest): string {
    const match = this.#router.match(request.method, request.path);
    return `${request.method} ${match.kind === "found" ? match.route.pattern : request.path}`;
  }

  /** One error line per unexpected failure: the route and what went wrong, never the request. */
  #logUnexpected(route: string, error: unknown): void {
    try {
      this.#options.logger.error({ route, err: error }, "emulator route failed unexpectedly");
    } catch {
      // A failing logger must not turn a 500 into a dropped connection.
    }
  }

  /** The REST fault decided for an authenticated request outside the control API. */
  #faultFor(request: EmulatorRequest) {
    if (!this.#restFaults || request.path.startsWith(controlPrefix)) return undefined;
    if (!this.#options.authenticate(request.headers.authorization)) return undefined;
    return this.#restFaults.match(request.method, request.path)?.fault;
  }

  async #respond(request: EmulatorRequest): Promise<EmulatorResponse> {
    const match = this.#router.match(request.method, request.path);
    const isPublic = match.kind === "found" && match.route.public === true;
    if (!isPublic && !request.path.startsWith(controlPrefix)) {
      const authorization = request.headers.authorization;
      if (!this.#options.authenticate(authorization)) {
        const response = twilioErrors.authenticate().toResponse();
        return { ...response, headers: { "WWW-Authenticate": 'Basic realm="Twilio API"' } };
      }
    }
    for (const hook of this.#preHooks) {
      const answer = await hook(request);
      if (answer) return answer;
    }
    if (match.kind === "none") throw twilioErrors.notFound(request.path);
    if (match.kind === "wrong-method") throw twilioErrors.methodNotAllowed(request.method);
    return await match.route.handler({ ...request, params: match.params });
  }
}

/**
 * Every 20404 names the path that was requested, without the `/v1` version segment, as
 * Twilio's Conversations API words it ("The requested resource /Conversations/CH71 was not
 * found", the message twilio-go's own tests expect) — whichever store lookup failed first.
 */
function namingRequestedPath(response: EmulatorResponse, path: string): EmulatorResponse {
  const body = response.body as { code?: unknown } | undefined;
  if (response.status !== 404 || typeof body !== "object" || body?.code !== 20404) return response;
  const resource = path.replace(/^\/v1(?=\/)/, "");
  return {
    ...response,
    body: { ...body, message: `The requested resource ${resource} was not found` },
  };
}

function errorToResponse(error: unknown): EmulatorResponse {
  if (error instanceof EmulatorRestError) return error.toResponse();
  if (error instanceof RejectedActionError) return error.response;
  return twilioErrorResponse(500, 20500, "An internal server error has occurred");
}

async function readRequest(
  incoming: IncomingMessage,
  accountSid: string,
  maximumBodyBytes: number,
): Promise<EmulatorRequest> {
  if (Number(incoming.headers["content-length"] ?? 0) > maximumBodyBytes)
    throw twilioErrors.bodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maximumBodyBytes) throw twilioErrors.bodyTooLarge();
    chunks.push(chunk);
  }
  const rawBody = Buffer.concat(chunks);
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "localhost"}`);
  const contentType = incoming.headers["content-type"] ?? "";
  const form = contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")
    ? new URLSearchParams(rawBody.toString("utf8"))
    : new URLSearchParams();
  return {
    method: (incoming.method ?? "GET").toUpperCase(),
    url,
    path: url.pathname,
    query: url.searchParams,
    form,
    headers: incoming.headers,
    rawBody,
    params: {},
    accountSid,
  };
}

/**
 * Answers before the body was read (or while it was still arriving) and closes the
 * connection, so the rest of the body is never buffered and cannot be taken for the next
 * request.
 */
function sendAndClose(outgoing: ServerResponse, response: EmulatorResponse): void {
  send(outgoing, { ...response, headers: { ...response.headers, Connection: "close" } });
}

function send(outgoing: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | string | undefined;
  if (Buffer.isBuffer(response.body)) payload = response.body;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers["Content-Type"] ??= "application/json; charset=utf-8";
  }
  outgoing.writeHead(response.status, headers);
  outgoing.end(payload);
}

/**
 * Why a control request must be refused, if it must: the control API has no credential
 * (it is a local dev tool), so a web page must not reach it — not cross-site (a page's
 * `fetch` or a `text/plain` form post carries `Origin` / `Sec-Fetch-Site`), and not through
 * DNS rebinding (a page's own host name resolving to 127.0.0.1 arrives with that name in
 * `Host`). IP literals and `localhost` names are fine; so are tools that send no `Origin`.
 */
export function foreignControlRequest(incoming: IncomingMessage): string | undefined {
  const host = incoming.headers.host ?? "";
  const hostname = host
    .replace(/^\[([^\]]+)\](?::\d+)?$/, "$1")
    .replace(/:\d+$/, "")
    .toLowerCase();
  const isLocalName = hostname === "localhost" || hostname.endsWith(".localhost");
  if (!isLocalName && isIP(hostname) === 0) {
    return `The control API answers only to an IP address or localhost, not Host "${host.slice(0, 100)}" (DNS rebinding).`;
  }
  const site = incoming.headers["sec-fetch-site"];
  if (site === "cross-site") {
    return "The control API refuses requests from web pages on other sites.";
  }
  const origin = incoming.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = origin === "null" ? undefined : new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) return "The control API refuses requests from other origins.";
  }
  return undefined;
}
