// Over 400 lines on purpose: every console route with its checks (token, origin, limits) in one
// router, so no route can skip them.
import type { IncomingMessage, ServerResponse } from "node:http";
import { SwitchboardError } from "../errors.js";
import type { ClientAddress } from "../http/client-address.js";
import { openEventStream } from "../http/event-stream.js";
import {
  asObject,
  type FaceLogger,
  methodNotAllowed,
  readJsonBody,
  readText,
  sendError,
  sendJson,
  silentFaceLogger,
} from "../http/json-http.js";
import { RequestError } from "../http/request-error.js";
import { createStreamTickets } from "../http/stream-tickets.js";
import { createTokenBucket, type TokenBucketOptions } from "../http/token-bucket.js";
import { hostnameOf, isLoopbackHost, tokenMatches } from "./console-auth.js";
import { type ConsoleCustomers, createConsoleCustomerRoutes } from "./console-customer-routes.js";
import type { ConsoleChannel, ConsoleDeps, ConsoleEvent } from "./console-deps.js";
import { ConsoleConflictError } from "./console-errors.js";
import { consoleSourceMapPath, renderConsolePage } from "./console-page.js";

export interface ConsoleApiOptions {
  /**
   * When set, every `/api/*` request must carry `Authorization: Bearer <token>`; the event
   * stream, which `EventSource` cannot give headers, takes only a one-use `?ticket=` from
   * `POST /api/stream-ticket` (never the token: URLs end up in proxy logs). Set it
   * whenever the server listens beyond loopback (`consoleTokenRequired(host)`). Without a
   * token the console answers only requests addressed to a loopback host name, so a web
   * page cannot reach it through DNS rebinding.
   */
  token?: string;
  /**
   * Wrong tokens a client may present before it is refused (429 with `Retry-After`) without
   * the token even being compared: a burst of 10, refilled over a minute by default.
   */
  failedAuthRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /** The real client of a request (see `createClientAddress`); default the socket's peer. */
  clientAddress?: ClientAddress;
  /** The longest text an operator or pretend customer may send, in characters. Default 2000. */
  maxTextLength?: number;
  /** The largest request body, in bytes. Default 16 384. */
  maxBodyBytes?: number;
  /**
   * Revokes a web chat visitor (`POST /api/visitors/:identity/revoke`): their tokens stop
   * working at once. Absent: the route answers 404.
   */
  revokeVisitor?: (identity: string) => Promise<void>;
  /**
   * Customers across channels (`switchboard.customers`): `GET /api/customers`,
   * `GET|DELETE /api/customers/:id`, `POST /api/customers/:id/unlink`. Absent: 404.
   */
  customers?: ConsoleCustomers;
  /** Open event streams at once (all operators together). Default 50. */
  maxStreams?: number;
  /** How long a stream ticket (`POST /api/stream-ticket`) stays valid, in ms. Default 30 000. */
  streamTicketMs?: number;
  /** Keep-alive comment interval on the event stream, in milliseconds. Default 15 000. */
  heartbeatMs?: number;
  /** The reconnect delay the page's `EventSource` should use, in milliseconds. Default 1000. */
  retryMs?: number;
  logger?: FaceLogger;
}

/**
 * A Node request handler for the console. Resolves `true` when the path was its own (it
 * answered), `false` otherwise (the caller routes on).
 */
export type ConsoleApiHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

const sidPattern = /^CH[0-9a-fA-F]{32}$/;
const e164 = /^\+[1-9]\d{6,14}$/;
const chatIdentity = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}$/;
const channels: readonly ConsoleChannel[] = ["sms", "whatsapp", "chat"];

/**
 * Creates the console: `GET /` (the page) and its JSON API —
 *
 * - `GET /api/info` → `{ mode, inspectorUrl?, channels, numbers, canSendAsCustomer }`
 * - `GET /api/conversations` → `{ conversations }`, newest activity first
 * - `GET /api/conversations/:sid` → `{ conversation, messages }` (404 when unknown)
 * - `GET /api/conversations/:sid/media?index=<n>&position=<m>` → one attachment's bytes
 *   (`media[m]` of the message with `Index` n), served as a download (404 when unknown)
 * - `GET /api/refused-messages` → `{ messages }`: signed messages that could never be
 *   stored (inbound dead letters), most recent first; summaries only
 * - `POST /api/stream-ticket` → 201 `{ ticket, expiresInMs }`: a one-use ticket for the stream
 * - `GET /api/stream?ticket=…` → SSE: `conversation`, `message`, `typing`, `state`
 * - `POST /api/customers/send` `{ channel, from, text, conversationSid? }` → 202 (dev mode
 *   only, else 403; `conversationSid` for chat: write in that conversation)
 * - `POST /api/visitors/:identity/revoke` → 200: the web chat visitor's tokens stop working
 * - `POST /api/conversations/:sid/consent` `{ state: "opted-out" | "opted-in" }`,
 *   `…/template` (202: the configured WhatsApp template goes out through the outbox);
 *   `…/reply` answers 409 `opted_out` or `whatsapp_window_closed` instead of sending;
 * - `POST /api/conversations/:sid/handoff` `{ on }`, `…/reply` `{ text }` (202),
 *   `…/retry`, `…/skip`
 *
 * Errors are `{ error: { code, message } }`: 400 bad input, 401 token, 403 host/origin or
 * dev-only, 404 unknown, 405 method, 409 conflict, 413 body, 415 content type.
 */
export function createConsoleApi(
  deps: ConsoleDeps,
  options: ConsoleApiOptions = {},
): ConsoleApiHandler {
  const token = options.token === "" ? undefined : options.token;
  const maxTextLength = options.maxTextLength ?? 2000;
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 1000;
  const logger = options.logger ?? silentFaceLogger;
  const customerRoutes =
    options.customers === undefined
      ? undefined
      : createConsoleCustomerRoutes(options.customers, logger);
  const page = renderConsolePage();
  const maxStreams = options.maxStreams ?? 50;
  const streamTicketMs = options.streamTicketMs ?? 30_000;
  let streamCount = 0;
  // Signed with a key derived from the console token, which every instance shares, so a
  // ticket from one instance opens the stream on another.
  const tickets = createStreamTickets<"console">({
    secret: token,
    purpose: "console",
    ttlMs: streamTicketMs,
  });
  const issueTicket = (): string => tickets.issue("console");
  /** Spends a ticket: true once (per instance), within its lifetime. */
  const spendTicket = (ticket: string): boolean => tickets.spend(ticket) === "console";
  const clientAddress =
    options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? "");
  const failedAuth = createTokenBucket({
    capacity: 10,
    refillMs: 60_000,
    ...options.failedAuthRate,
  });
  const throttled = (retryAfterMs: number) =>
    new RequestError(
      429,
      "too_many_attempts",
      "Too many wrong console tokens; wait and try again.",
      {
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      },
    );

  const authorize = (request: IncomingMessage, url: URL, allowQueryToken: boolean) => {
    const host = request.headers.host ?? "";
    const ticket = allowQueryToken ? url.searchParams.get("ticket") : null;
    if (token !== undefined && ticket !== null) {
      if (spendTicket(ticket)) return;
      throw new RequestError(
        401,
        "ticket_invalid",
        "This stream ticket is spent or expired; ask for a new one (POST /api/stream-ticket).",
        { headers: { "www-authenticate": "Bearer" } },
      );
    }
    if (token === undefined) {
      if (!isLoopbackHost(hostnameOf(host))) {
        throw new RequestError(
          403,
          "host_not_allowed",
          "Without a console token the console only answers on localhost; set a token to reach it by another name.",
        );
      }
      return;
    }
    const header = request.headers.authorization;
    const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
    // The stream takes only a ticket (checked above): its credential travels in the URL,
    // where the long-lived token must never go, and a bearer header there would be a second
    // way in for no gain.
    if (allowQueryToken) {
      throw new RequestError(
        401,
        "ticket_missing",
        "Open the stream with a one-use ticket: POST /api/stream-ticket, then ?ticket=….",
        { headers: { "www-authenticate": "Bearer" } },
      );
    }
    const presented = bearer;
    // A client that guessed wrong too often is refused before its token is even compared.
    const client = clientAddress(request);
    const blocked = failedAuth.peek(client);
    if (!blocked.allowed) throw throttled(blocked.retryAfterMs);
    if (presented === undefined || !tokenMatches(presented, token)) {
      if (presented !== undefined) {
        const counted = failedAuth.take(client);
        if (!counted.allowed) throw throttled(counted.retryAfterMs);
      }
      throw new RequestError(
        401,
        presented === undefined ? "token_missing" : "token_invalid",
        "This console is protected: send the console token as `Authorization: Bearer <token>`.",
        { headers: { "www-authenticate": "Bearer" } },
      );
    }
  };

  // The token lives in the page's memory, not a cookie, so cross-site requests cannot
  // carry it; refusing foreign origins on writes also covers the token-less loopback case.
  const sameOrigin = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    if (origin === undefined || origin === "null") {
      if (origin === "null") {
        throw new RequestError(403, "cross_origin", "Requests from other sites are refused.");
      }
      return;
    }
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new RequestError(403, "cross_origin", "Requests from other sites are refused.");
    }
    if (originHost !== request.headers.host) {
      throw new RequestError(403, "cross_origin", "Requests from other sites are refused.");
    }
  };

  const conversationSid = (raw: string): string => {
    // SIDs never need escaping, so the raw segment is compared as it came.
    const sid = raw;
    if (!sidPattern.test(sid)) {
      throw new RequestError(
        400,
        "invalid_conversation_sid",
        "A conversation SID is CH followed by 32 hex digits.",
      );
    }
    return sid;
  };

  async function stream(request: IncomingMessage, response: ServerResponse) {
    if (streamCount >= maxStreams) {
      throw new RequestError(429, "too_many_streams", "Too many console windows are open.", {
        retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)),
      });
    }
    streamCount += 1;
    const events = openEventStream(request, response, {
      heartbeatMs,
      retryMs,
      // A stuck operator tab may pin at most this much; it reconnects and reloads.
      maxBufferedBytes: 256 * 1024,
    });
    events.onClose(() => {
      streamCount -= 1;
    });
    const unsubscribe = deps.subscribe((event: ConsoleEvent) => {
      const { type, ...data } = event;
      events.send(type, data);
    });
    events.onClose(unsubscribe);
    // Tells the page the stream is live; it reloads the list then, so nothing between its
    // first fetch and this subscription is missed.
    events.send("ready", {});
  }

  /** `GET /api/conversations/:sid/media?index=&position=`: one attachment's bytes. */
  async function media(sid: string, url: URL, response: ServerResponse) {
    const index = mediaParameter(url, "index", Number.MAX_SAFE_INTEGER);
    const position = mediaParameter(url, "position", 63);
    const missing = new RequestError(404, "media_not_found", "There is no such attachment.");
    if (deps.readMedia === undefined) throw missing;
    const abort = new AbortController();
    response.on("close", () => abort.abort());
    const found = await deps.readMedia(sid, index, position, abort.signal);
    if (found === undefined) throw missing;
    const body = found.body instanceof Uint8Array ? [found.body] : found.body;
    response.writeHead(200, {
      "content-type": shownMediaTypes.has(found.contentType)
        ? found.contentType
        : "application/octet-stream",
      "content-disposition": contentDisposition(found.filename, found.contentType),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "referrer-policy": "no-referrer",
    });
    let sent = 0;
    try {
      for await (const chunk of body) {
        sent += chunk.byteLength;
        // A runaway source cannot stream forever: past the ceiling the response is cut,
        // so the browser sees a failed download rather than a silently truncated file.
        if (sent > maxMediaBytes) throw new RangeError(`attachment over ${maxMediaBytes} bytes`);
        if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      }
    } catch (error) {
      if (!abort.signal.aborted)
        logger.warn({ err: error, conversationSid: sid }, "console media download failed");
      response.destroy();
      return;
    }
    response.end();
  }

  async function route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const path = url.pathname;
    const method = request.method ?? "GET";

    if (path === "/api/info") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const info = await deps.info();
      sendJson(response, 200, {
        mode: info.mode,
        ...(info.inspectorUrl !== undefined && /^https?:\/\//i.test(info.inspectorUrl)
          ? { inspectorUrl: info.inspectorUrl }
          : {}),
        channels: info.channels,
        numbers: info.numbers,
        canSendAsCustomer: info.mode === "dev" && deps.sendAsCustomer !== undefined,
      });
      return;
    }
    if (path === "/api/stream") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      await stream(request, response);
      return;
    }
    if (path === "/api/stream-ticket") {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      request.resume();
      sendJson(response, 201, { ticket: issueTicket(), expiresInMs: streamTicketMs });
      return;
    }
    if (path === "/api/conversations") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const conversations = await deps.listConversations();
      conversations.sort((a, b) =>
        a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0,
      );
      sendJson(response, 200, { conversations });
      return;
    }
    if (path === "/api/refused-messages") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const messages = (await deps.refusedMessages?.()) ?? [];
      sendJson(response, 200, { messages });
      return;
    }
    if (path === "/api/customers/send") {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      const info = await deps.info();
      if (info.mode !== "dev" || deps.sendAsCustomer === undefined) {
        throw new RequestError(
          403,
          "dev_mode_only",
          "Writing as a customer works only in dev mode, against the emulator.",
        );
      }
      const body = asObject(await readJsonBody(request, maxBodyBytes));
      const channel = body.channel;
      if (typeof channel !== "string" || !channels.includes(channel as ConsoleChannel)) {
        throw new RequestError(400, "invalid_channel", "`channel` must be sms, whatsapp or chat.");
      }
      const from = customerAddress(channel as ConsoleChannel, body.from);
      const text = readText(body.text, maxTextLength);
      // Web chat only: answer in an existing conversation (a tap on the agent's buttons).
      const into =
        body.conversationSid === undefined || channel !== "chat"
          ? {}
          : { conversationSid: conversationSid(String(body.conversationSid)) };
      const sent = await deps.sendAsCustomer({
        channel: channel as ConsoleChannel,
        from,
        text,
        ...into,
      });
      sendJson(response, 202, { from, ...sent });
      return;
    }

    if (
      customerRoutes !== undefined &&
      (await customerRoutes(path, url, request, response, maxBodyBytes))
    )
      return;

    const revoke = /^\/api\/visitors\/([^/]+)\/revoke$/.exec(path);
    if (revoke !== null && options.revokeVisitor !== undefined) {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      const identity = revoke[1] ?? "";
      if (
        !/^visitor-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(identity)
      ) {
        throw new RequestError(400, "invalid_identity", "A visitor identity is visitor-<uuid>.");
      }
      request.resume();
      await options.revokeVisitor(identity);
      sendJson(response, 200, { revoked: identity });
      return;
    }
    const attachment = /^\/api\/conversations\/([^/]+)\/media$/.exec(path);
    if (attachment !== null) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      await media(conversationSid(attachment[1] ?? ""), url, response);
      return;
    }
    const match =
      /^\/api\/conversations\/([^/]+)(?:\/(handoff|reply|retry|skip|consent|template))?$/.exec(
        path,
      );
    if (match === null) throw new RequestError(404, "not_found", `Nothing at ${path}.`);
    const sid = conversationSid(match[1] ?? "");
    const action = match[2];
    if (action === undefined) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const transcript = await deps.transcript(sid);
      if (transcript === undefined) throw notFound(sid);
      sendJson(response, 200, transcript);
      return;
    }
    if (method !== "POST") throw methodNotAllowed(["POST"]);
    const body = asObject(await readJsonBody(request, maxBodyBytes));
    if (action === "handoff") {
      if (typeof body.on !== "boolean") {
        throw new RequestError(
          400,
          "invalid_handoff",
          "`on` must be true (take over) or false (hand back).",
        );
      }
      await deps.setHandoff(sid, body.on);
      sendJson(response, 200, { ok: true });
    } else if (action === "reply") {
      const text = readText(body.text, maxTextLength);
      sendJson(response, 202, await deps.replyAsHuman(sid, text));
    } else if (action === "consent") {
      if (deps.setConsent === undefined)
        throw new RequestError(404, "not_found", "This console cannot change consent.");
      if (body.state !== "opted-out" && body.state !== "opted-in")
        throw new RequestError(
          400,
          "invalid_consent",
          '`state` must be "opted-out" (stop messaging this customer) or "opted-in".',
        );
      await deps.setConsent(sid, body.state);
      sendJson(response, 200, { ok: true });
    } else if (action === "template") {
      if (deps.sendTemplate === undefined)
        throw new RequestError(404, "not_found", "This console cannot send templates.");
      sendJson(response, 202, await deps.sendTemplate(sid));
    } else if (action === "retry") {
      await deps.retryDeadLetter(sid);
      sendJson(response, 200, { ok: true });
    } else {
      await deps.skipDeadLetter(sid);
      sendJson(response, 200, { ok: true });
    }
  }

  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path === "/") {
      if (request.method !== "GET" && request.method !== "HEAD") {
        sendError(response, methodNotAllowed(["GET", "HEAD"]), logger);
        return true;
      }
      // The page holds no data; the API behind it is what the token protects. It reads a
      // `#token=` (or `?token=`) from its own address, keeps it in memory and removes it.
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": page.contentSecurityPolicy,
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
      });
      response.end(request.method === "HEAD" ? undefined : page.html);
      return true;
    }
    if (path === consoleSourceMapPath && (request.method === "GET" || request.method === "HEAD")) {
      // The map only names the console's own sources; it is public like the script.
      response.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      response.end(request.method === "HEAD" ? undefined : page.sourceMap);
      return true;
    }
    if (path !== "/api" && !path.startsWith("/api/")) return false;
    try {
      authorize(request, url, path === "/api/stream");
      if (request.method !== "GET") sameOrigin(request);
      await route(request, response, url);
    } catch (error) {
      sendError(response, toRequestError(error), logger);
    }
    return true;
  };
}

/** The largest attachment the console serves, in bytes (Twilio's own media limit is lower). */
const maxMediaBytes = 16 * 1024 * 1024;

/**
 * The types an attachment is served as; anything else is opaque bytes. No SVG or HTML: the
 * console is same-origin with its API, so nothing that can run script is ever named.
 */
const shownMediaTypes = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "application/pdf",
  "audio/ogg",
  "audio/mpeg",
  "audio/amr",
  "audio/mp4",
  "video/mp4",
  "text/plain",
  "text/vcard",
  "text/csv",
]);

const mediaExtensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/amr": "amr",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "text/plain": "txt",
  "text/vcard": "vcf",
  "text/csv": "csv",
};

/** A non-negative integer query parameter up to `max`; 400 when absent or malformed. */
function mediaParameter(url: URL, name: string, max: number): number {
  const raw = url.searchParams.get(name);
  const value = raw !== null && /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > max) {
    throw new RequestError(
      400,
      `invalid_${name}`,
      `\`${name}\` must be a whole number from 0 to ${max}.`,
    );
  }
  return value;
}

/**
 * `attachment` with a filename safe in a header and on disk: the customer's name reduced to
 * letters, digits and `._-` (an ASCII fallback plus the UTF-8 original, RFC 6266), or
 * `attachment.<ext>` when it has none.
 */
export function contentDisposition(filename: string | null | undefined, type: string): string {
  const extension = mediaExtensions[type] ?? "bin";
  const base = (filename ?? "")
    .replace(/[\\/]/g, "_")
    .split("")
    .filter((char) => char >= " " && char !== "\u007f")
    .join("")
    .trim()
    .slice(0, 120);
  const usable = base.replace(/^[._\s]+/, "");
  const ascii = usable.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+|_+$/g, "");
  const fallback = ascii === "" || /^[._-]*$/.test(ascii) ? `attachment.${extension}` : ascii;
  if (usable === "" || usable === fallback) return `attachment; filename="${fallback}"`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(usable).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function notFound(sid: string): RequestError {
  return new RequestError(404, "conversation_not_found", `There is no conversation ${sid}.`);
}

/** Maps the errors `ConsoleDeps` may throw to HTTP; everything else stays a 500. */
function toRequestError(error: unknown): unknown {
  if (error instanceof RequestError || !SwitchboardError.isSwitchboardError(error)) return error;
  if (error.code === "conversation_not_found")
    return new RequestError(404, error.code, error.message);
  if (error instanceof ConsoleConflictError || conflictCodes.has(error.code)) {
    return new RequestError(409, error.code, error.message);
  }
  return error;
}

const conflictCodes = new Set([
  "conversation_closed",
  "conversation_gone",
  "no_dead_letter",
  "not_handed_off",
]);

/** Validates the pretend customer's address for the channel; WhatsApp gains its prefix. */
function customerAddress(channel: ConsoleChannel, value: unknown): string {
  if (typeof value !== "string") {
    throw new RequestError(400, "invalid_from", "`from` must be a string.");
  }
  const from = value.trim();
  if (channel === "sms" && e164.test(from)) return from;
  if (channel === "whatsapp") {
    const number = from.replace(/^whatsapp:/, "");
    if (e164.test(number)) return `whatsapp:${number}`;
  }
  if (channel === "chat" && chatIdentity.test(from)) return from;
  const expected =
    channel === "chat"
      ? "a chat identity (letters, digits, _ . @ : -, up to 64)"
      : channel === "sms"
        ? "an E.164 number like +15551234567"
        : "an E.164 number like +15551234567 (whatsapp: prefix optional)";
  throw new RequestError(400, "invalid_from", `\`from\` must be ${expected}.`);
}
