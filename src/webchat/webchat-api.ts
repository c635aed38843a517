// Over 400 lines on purpose: every web chat route shares one token signer, one set of rate limits
// and one stream registry, so they live in one closure.
import type { IncomingMessage, ServerResponse } from "node:http";
import { SwitchboardError } from "../errors.js";
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
import { readClientBundle } from "../read-client-bundle.js";
import {
  createVisitorTokens,
  randomVisitorIdentity,
  type VisitorTokenClaims,
  VisitorTokenError,
  type VisitorTokens,
} from "./visitor-token.js";
import { isWebchatConversationGone } from "./webchat-conversation-gone-error.js";
import {
  createWebchatCustomerRoutes,
  type WebchatCustomerOptions,
} from "./webchat-customer-routes.js";
import type { WebchatDeps, WebchatEvent, WebchatMessage } from "./webchat-deps.js";
import {
  readVisitorUpload,
  resolveWebchatUploads,
  type WebchatUploadOptions,
  webchatUploadTypes,
} from "./webchat-uploads.js";

export interface WebchatApiOptions {
  /**
   * The key that signs visitor tokens (at least 32 bytes). Keep it stable across restarts:
   * a new secret logs every visitor out of their conversation.
   */
  secret: string | Uint8Array;
  /** How long a visitor token lasts, in milliseconds; every session call renews it. Default 7 days. */
  tokenTtlMs?: number;
  /** The absolute lifetime of a visitor's token chain, renewals included. Default 30 days. */
  tokenMaxLifetimeMs?: number;
  /**
   * Whether an identity was revoked by the operator (see `revokeVisitor`); its tokens and
   * tickets are then refused (401 `token_revoked`). Default: none is.
   */
  isRevoked?: (identity: string) => boolean;
  /**
   * Subscribes to revocations as they happen (on any instance): the revoked visitor's open
   * streams are closed at once, and their reconnect is refused by `isRevoked`.
   */
  onRevoked?: (listener: (identity: string) => void) => () => void;
  /**
   * Origins (`https://shop.example`) whose pages may call the API, or `"*"` (the default):
   * tokens travel as bearer headers, never cookies, so any page may embed the widget
   * without gaining access to another visitor's conversation.
   */
  allowedOrigins?: "*" | readonly string[];
  /** The longest message a visitor may send, in characters. Default 2000. */
  maxTextLength?: number;
  /**
   * The largest request body, in bytes. Default 8192: 4 KB would refuse a 2000-character
   * message in a script that takes three UTF-8 bytes per character.
   */
  maxBodyBytes?: number;
  /** Messages per visitor identity: a burst of 5, refilled over 10 s by default. */
  messageRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /**
   * New conversations per client address (each one costs a Twilio conversation): a burst
   * of 10, refilled over a minute by default.
   */
  sessionRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /**
   * New conversations over all clients together: a burst of 100, refilled over a minute by
   * default, so one client rotating addresses cannot spend the account's Twilio budget.
   */
  globalSessionRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /**
   * Stream opens and session resumes, per visitor identity and per client address (each
   * may read Twilio): a burst of 10 per identity and 30 per client, refilled over a minute.
   */
  reconnectRate?: {
    perIdentity?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
    perClient?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  };
  /**
   * Files visitors may attach (`POST /webchat/uploads`): size, types and rate (see
   * `WebchatUploadOptions`), or `false` to take none. On when the deps can send media
   * (`sendVisitorMedia`). Checked at construction.
   */
  uploads?: WebchatUploadOptions | false;
  /** Open streams per visitor identity (a few tabs). Default 5. */
  maxStreamsPerIdentity?: number;
  /** How long a stream ticket stays valid, in ms. Default 30 000. */
  streamTicketMs?: number;
  /** Open streams over all visitors. Default 1000. */
  maxStreams?: number;
  /**
   * Bytes a stream may have waiting for a slow client before it is closed (the widget
   * reconnects and resumes). Default 64 KB: the memory one stream can pin is bounded.
   */
  maxStreamBufferBytes?: number;
  /** Keep-alive comment interval on streams, in milliseconds. Default 15 000. */
  heartbeatMs?: number;
  /** The reconnect delay the browser's `EventSource` should use, in milliseconds. Default 2000. */
  retryMs?: number;
  /**
   * The client's address for the session rate limit. Default: the socket's remote
   * address; behind a reverse proxy, read the proxy's forwarded header here instead.
   */
  clientAddress?: (request: IncomingMessage) => string;
  logger?: FaceLogger;
  /**
   * "Verify your phone" and "continue on WhatsApp / by SMS" (`/webchat/verify`,
   * `/webchat/verify/confirm`, `/webchat/continue`, `/webchat/continue/sms`). Absent:
   * those routes answer 404 `not_offered`.
   */
  customers?: WebchatCustomerOptions;
  /** The clock (token expiry and rate limits). Default `Date.now`. */
  now?: () => number;
}

/**
 * A Node request handler for the web chat API and widget. Resolves `true` when the path
 * is one of its own (it answered), `false` otherwise (the caller routes on).
 */
export type WebchatApiHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

/** The paths `createWebchatApi` answers. */
export const webchatPaths = {
  script: "/webchat.js",
  /** The widget's source map (named relative to the script, so it follows any mount). */
  scriptMap: "/webchat.js.map",
  session: "/webchat/session",
  messages: "/webchat/messages",
  stream: "/webchat/stream",
  streamTicket: "/webchat/stream-ticket",
  uploads: "/webchat/uploads",
  media: "/webchat/media",
} as const;

/**
 * Creates the web chat API:
 *
 * - `GET /webchat.js` — the widget (`<script src="…/webchat.js"></script>` on any page).
 * - `POST /webchat/session` `{ token? }` → `{ token, identity, conversationSid, resumed }`:
 *   a valid token for an open conversation resumes it (and is renewed); none, or a closed
 *   conversation, starts a new one. A forged or expired token is refused (401) so the
 *   widget knows to drop it.
 * - `POST /webchat/messages` `{ text }` with `Authorization: Bearer <token>` → 202
 *   `{ messageSid, index }`. 202 because the reply comes later, on the stream.
 * - `POST /webchat/uploads` with the bearer token, the raw file as the body with its own
 *   `Content-Type` and its name in `X-Filename` → 202 `{ messageSid, index }`: the file as
 *   the visitor's message (see `readVisitorUpload` for what is refused, and how early).
 * - `GET /webchat/media?index=<n>&position=<m>` with the bearer token → the bytes of the
 *   conversation's media item, for the widget to show.
 * - `POST /webchat/stream-ticket` with the bearer token → 201 `{ ticket, expiresInMs }`: a
 *   one-use ticket for the stream, valid for seconds.
 * - `GET /webchat/stream?ticket=…&after=<index>` → Server-Sent Events: `message` (id = the
 *   message index), `typing`, `state`; resumes after `after` or `Last-Event-ID`. Only a
 *   ticket opens it: the visitor token is refused there (401 `ticket_missing`).
 *
 * A conversation Twilio no longer has (`conversation_gone` from the deps) is treated like a
 * closed one by the session call — the visitor gets a fresh conversation under the same
 * identity — and answered 409 `conversation_gone` by messages and streams, so the widget
 * renews its session by itself.
 *
 * Errors are `{ error: { code, message } }`: 400 bad input, 401 token, 404 no such media,
 * 405 method, 409 `conversation_closed` or `conversation_gone`, 413 body or file, 415
 * content type (or file contents), 429 flood (with `Retry-After`).
 */
export function createWebchatApi(deps: WebchatDeps, options: WebchatApiOptions): WebchatApiHandler {
  const now = options.now ?? Date.now;
  const tokens: VisitorTokens = createVisitorTokens({
    secret: options.secret,
    now,
    ...(options.tokenTtlMs === undefined ? {} : { ttlMs: options.tokenTtlMs }),
    ...(options.tokenMaxLifetimeMs === undefined
      ? {}
      : { maxLifetimeMs: options.tokenMaxLifetimeMs }),
  });
  const logger = options.logger ?? silentFaceLogger;
  const customerRoutes = createWebchatCustomerRoutes({ now, ...options.customers });
  // The widget, built from `client/` into `dist/client/webchat.js`; read once here.
  const widget = readClientBundle("webchat", "webchat.js.map");
  const maxTextLength = options.maxTextLength ?? 2000;
  const maxBodyBytes = options.maxBodyBytes ?? 8192;
  const maxStreamsPerIdentity = options.maxStreamsPerIdentity ?? 5;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 2000;
  const allowedOrigins = options.allowedOrigins ?? "*";
  const clientAddress =
    options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? "");
  const messageLimit = createTokenBucket({
    capacity: 5,
    refillMs: 10_000,
    ...options.messageRate,
    now,
  });
  const sessionLimit = createTokenBucket({
    capacity: 10,
    refillMs: 60_000,
    ...options.sessionRate,
    now,
  });
  const globalSessionLimit = createTokenBucket({
    capacity: 100,
    refillMs: 60_000,
    ...options.globalSessionRate,
    now,
  });
  const identityReconnects = createTokenBucket({
    capacity: 10,
    refillMs: 60_000,
    ...options.reconnectRate?.perIdentity,
    now,
  });
  const clientReconnects = createTokenBucket({
    capacity: 30,
    refillMs: 60_000,
    ...options.reconnectRate?.perClient,
    now,
  });
  const sendMedia = deps.sendVisitorMedia?.bind(deps);
  // Refused at construction, naming the option, even when the deps take no files.
  const uploadLimits =
    options.uploads === false ? undefined : resolveWebchatUploads(options.uploads);
  const uploads = sendMedia === undefined ? undefined : uploadLimits;
  const uploadLimit = createTokenBucket({
    capacity: 3,
    refillMs: 60_000,
    ...(options.uploads === false ? {} : options.uploads?.rate),
    now,
  });
  // Each read may fetch from Twilio: budgeted per identity like stream opens.
  const mediaReads = createTokenBucket({ capacity: 30, refillMs: 60_000, now });
  const maxStreams = options.maxStreams ?? 1000;
  const maxStreamBufferBytes = options.maxStreamBufferBytes ?? 64 * 1024;
  let streamCount = 0;
  const openStreams = new Map<string, number>();
  /** How to close each identity's open streams, for a revocation. */
  const streamClosers = new Map<string, Set<() => void>>();
  options.onRevoked?.((identity) => {
    for (const close of [...(streamClosers.get(identity) ?? [])]) close();
  });
  const streamTicketMs = options.streamTicketMs ?? 30_000;
  const tickets = createStreamTickets<VisitorTokenClaims>({
    // The visitor tokens' key: every instance sharing it accepts the others' tickets.
    secret: options.secret,
    purpose: "webchat",
    ttlMs: streamTicketMs,
    now,
  });
  const issueTicket = (claims: VisitorTokenClaims): string => tickets.issue(claims);
  const spendTicket = (ticket: string): VisitorTokenClaims => {
    const claims = tickets.spend(ticket);
    if (claims === undefined) {
      throw new RequestError(
        401,
        "ticket_invalid",
        "This stream ticket is spent or expired; ask for a new one (POST /webchat/stream-ticket).",
        { headers: { "www-authenticate": 'Bearer error="invalid_token"' } },
      );
    }
    refuseRevoked(claims);
    return claims;
  };

  /** Refuses (429) a stream open or session resume past the identity's or client's budget. */
  const takeReconnect = (request: IncomingMessage, identity: string) => {
    const byClient = clientReconnects.take(clientAddress(request));
    if (!byClient.allowed) throw limited(byClient.retryAfterMs, "reconnects");
    const byIdentity = identityReconnects.take(identity);
    if (!byIdentity.allowed) throw limited(byIdentity.retryAfterMs, "reconnects");
  };

  const corsHeaders = (request: IncomingMessage): Record<string, string> => {
    const origin = request.headers.origin;
    if (origin === undefined) return {};
    if (allowedOrigins !== "*" && !allowedOrigins.includes(origin)) {
      throw new RequestError(403, "origin_not_allowed", "This page's origin may not use the chat.");
    }
    return {
      "access-control-allow-origin": allowedOrigins === "*" ? "*" : origin,
      "access-control-expose-headers": "retry-after",
      vary: "Origin",
    };
  };

  const refuseRevoked = (claims: VisitorTokenClaims) => {
    if (options.isRevoked?.(claims.identity) === true) {
      throw new RequestError(401, "token_revoked", "This chat was ended by the business.", {
        headers: { "www-authenticate": 'Bearer error="invalid_token"' },
      });
    }
  };

  const verify = (token: string | undefined): VisitorTokenClaims => {
    if (token === undefined || token === "") {
      throw new RequestError(
        401,
        "token_missing",
        "Send the visitor token; start a session first.",
        {
          headers: { "www-authenticate": "Bearer" },
        },
      );
    }
    try {
      const claims = tokens.verify(token);
      refuseRevoked(claims);
      return claims;
    } catch (error) {
      if (error instanceof VisitorTokenError) {
        throw new RequestError(401, error.code, error.message, {
          headers: { "www-authenticate": 'Bearer error="invalid_token"' },
        });
      }
      throw error;
    }
  };

  const conversationOf = (claims: VisitorTokenClaims): string => {
    if (claims.conversationSid === undefined) {
      throw new RequestError(
        401,
        "token_without_conversation",
        "This token has no conversation yet; call POST /webchat/session.",
        { headers: { "www-authenticate": 'Bearer error="invalid_token"' } },
      );
    }
    return claims.conversationSid;
  };

  const limited = (retryAfterMs: number, what: string) =>
    new RequestError(429, "rate_limited", `Too many ${what}; slow down and try again shortly.`, {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    });

  /** Whether the conversation takes messages: false when closed or gone from Twilio. */
  const isOpen = async (conversationSid: string): Promise<boolean> => {
    try {
      return !(await deps.isClosed(conversationSid));
    } catch (error) {
      if (isWebchatConversationGone(error)) return false;
      throw error;
    }
  };

  async function session(
    request: IncomingMessage,
    response: ServerResponse,
    cors: Record<string, string>,
  ) {
    const body = asObject(await readJsonBody(request, maxBodyBytes));
    const given = body.token ?? bearerToken(request);
    if (given !== undefined && typeof given !== "string") {
      throw new RequestError(400, "invalid_token_field", "`token` must be a string.");
    }
    const claims = given === undefined ? undefined : verify(given);
    // A resume asks whether the conversation is still open: budgeted, before any lookup.
    if (claims?.conversationSid !== undefined) takeReconnect(request, claims.identity);
    if (claims?.conversationSid !== undefined && (await isOpen(claims.conversationSid))) {
      const renewed = tokens.issue({
        identity: claims.identity,
        conversationSid: claims.conversationSid,
        startedAt: claims.startedAt ?? claims.issuedAt,
      });
      sendJson(
        response,
        200,
        {
          token: renewed.token,
          identity: claims.identity,
          conversationSid: claims.conversationSid,
          resumed: true,
          uploads: uploadsWire(),
        },
        cors,
      );
      return;
    }
    const allowed = sessionLimit.take(clientAddress(request));
    if (!allowed.allowed) throw limited(allowed.retryAfterMs, "new conversations");
    const globally = globalSessionLimit.take("all");
    if (!globally.allowed) throw limited(globally.retryAfterMs, "new conversations");
    // A returning visitor whose conversation closed (or Twilio no longer has) keeps their
    // identity in a new one.
    const identity = claims?.identity ?? randomVisitorIdentity();
    const { conversationSid } = await deps.startConversation(identity);
    const issued = tokens.issue({ identity, conversationSid });
    sendJson(
      response,
      201,
      { token: issued.token, identity, conversationSid, resumed: false, uploads: uploadsWire() },
      cors,
    );
  }

  async function messages(
    request: IncomingMessage,
    response: ServerResponse,
    cors: Record<string, string>,
  ) {
    const claims = verify(bearerToken(request));
    const conversationSid = conversationOf(claims);
    const allowed = messageLimit.take(claims.identity);
    if (!allowed.allowed) throw limited(allowed.retryAfterMs, "messages");
    const body = asObject(await readJsonBody(request, maxBodyBytes));
    const text = readText(body.text, maxTextLength);
    // A tapped button names the option it picked; `text` is still its title.
    const choice =
      body.choiceId === undefined ? {} : { choiceId: readText(body.choiceId, 200, "choiceId") };
    try {
      if (await deps.isClosed(conversationSid)) throw closedError();
      const sent = await deps.sendVisitorMessage({
        conversationSid,
        identity: claims.identity,
        text,
        ...choice,
      });
      sendJson(response, 202, { messageSid: sent.messageSid, index: sent.index }, cors);
    } catch (error) {
      if (SwitchboardError.isSwitchboardError(error) && error.code === "conversation_closed") {
        throw closedError();
      }
      if (isWebchatConversationGone(error)) throw goneError();
      throw error;
    }
  }

  function uploadsWire() {
    return uploads === undefined
      ? null
      : { maxBytes: uploads.maxBytes, contentTypes: [...uploads.contentTypes] };
  }

  async function upload(
    request: IncomingMessage,
    response: ServerResponse,
    cors: Record<string, string>,
  ) {
    const claims = verify(bearerToken(request));
    const conversationSid = conversationOf(claims);
    if (uploads === undefined || sendMedia === undefined)
      throw new RequestError(404, "uploads_off", "This chat does not take files.");
    // Budgets first, so a flood is refused before a byte of it is read.
    const asMessage = messageLimit.take(claims.identity);
    if (!asMessage.allowed) throw limited(asMessage.retryAfterMs, "messages");
    const allowed = uploadLimit.take(claims.identity);
    if (!allowed.allowed) throw limited(allowed.retryAfterMs, "files");
    const file = await readVisitorUpload(request, uploads);
    try {
      if (await deps.isClosed(conversationSid)) throw closedError();
      const sent = await sendMedia({
        conversationSid,
        identity: claims.identity,
        file: {
          content: file.content,
          contentType: file.contentType,
          ...(file.filename === undefined ? {} : { filename: file.filename }),
        },
      });
      sendJson(response, 202, { messageSid: sent.messageSid, index: sent.index }, cors);
    } catch (error) {
      if (SwitchboardError.isSwitchboardError(error) && error.code === "conversation_closed") {
        throw closedError();
      }
      if (isWebchatConversationGone(error)) throw goneError();
      throw error;
    }
  }

  async function media(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    cors: Record<string, string>,
  ) {
    const claims = verify(bearerToken(request));
    const conversationSid = conversationOf(claims);
    const index = readIndex(url.searchParams.get("index"), "index");
    const position = readIndex(url.searchParams.get("position"), "position");
    const notFound = new RequestError(404, "media_not_found", "There is no such attachment.");
    if (deps.readMedia === undefined || index < 0 || position < 0 || position > 63) throw notFound;
    const allowed = mediaReads.take(claims.identity);
    if (!allowed.allowed) throw limited(allowed.retryAfterMs, "attachment downloads");
    const abort = new AbortController();
    response.on("close", () => abort.abort());
    let found: Awaited<ReturnType<NonNullable<WebchatDeps["readMedia"]>>>;
    try {
      found = await deps.readMedia(conversationSid, index, position, abort.signal);
    } catch (error) {
      if (isWebchatConversationGone(error)) throw goneError();
      throw error;
    }
    if (found === undefined) throw notFound;
    // Only the types the chat knows are named; anything else is opaque bytes, never rendered.
    const type = webchatUploadTypes.includes(found.contentType)
      ? found.contentType
      : "application/octet-stream";
    response.writeHead(200, {
      ...cors,
      "content-type": type,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "content-disposition": "attachment",
    });
    let sent = 0;
    try {
      for await (const chunk of found.body) {
        sent += chunk.byteLength;
        // The same ceiling as the largest upload: a runaway source cannot stream forever.
        if (sent > 16 * 1024 * 1024) break;
        if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      }
    } catch (error) {
      logger.warn({ err: error, conversationSid }, "web chat media download failed midway");
      response.destroy();
      return;
    }
    response.end();
  }

  async function stream(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    cors: Record<string, string>,
  ) {
    // Only a one-use ticket opens a stream: `EventSource` cannot send headers, so whatever
    // opens it travels in the URL (and so into proxy logs), and a spent ticket is worthless
    // there. The long-lived visitor token is never accepted here, in the URL or otherwise.
    const ticket = url.searchParams.get("ticket");
    if (ticket === null || ticket === "") {
      throw new RequestError(
        401,
        "ticket_missing",
        "Open the stream with a one-use ticket: POST /webchat/stream-ticket, then ?ticket=….",
        { headers: { "www-authenticate": 'Bearer error="invalid_request"' } },
      );
    }
    const claims = spendTicket(ticket);
    const conversationSid = conversationOf(claims);
    const after = Math.max(
      readIndex(url.searchParams.get("after"), "after"),
      readIndex(headerValue(request, "last-event-id"), "Last-Event-ID"),
    );
    // Before the stream opens, so a conversation Twilio no longer has is refused with a
    // status the widget acts on (it renews its session) instead of a stream that ends.
    let closed: boolean;
    try {
      closed = await deps.isClosed(conversationSid);
    } catch (error) {
      if (isWebchatConversationGone(error)) throw goneError();
      throw error;
    }
    const streams = openStreams.get(claims.identity) ?? 0;
    if (streamCount >= maxStreams) {
      throw new RequestError(429, "too_many_streams", "The chat is busy; try again shortly.", {
        retryAfterSeconds: Math.ceil(retryMs / 1000),
      });
    }
    if (streams >= maxStreamsPerIdentity) {
      throw new RequestError(
        429,
        "too_many_streams",
        `At most ${maxStreamsPerIdentity} chat windows may be open at once.`,
        { retryAfterSeconds: Math.ceil(retryMs / 1000) },
      );
    }
    takeReconnect(request, claims.identity);
    openStreams.set(claims.identity, streams + 1);
    streamCount += 1;

    const events = openEventStream(request, response, {
      heartbeatMs,
      retryMs,
      headers: cors,
      maxBufferedBytes: maxStreamBufferBytes,
    });
    const closers = streamClosers.get(claims.identity) ?? new Set<() => void>();
    streamClosers.set(claims.identity, closers);
    const closeThis = () => events.close();
    closers.add(closeThis);
    events.onClose(() => {
      streamCount -= 1;
      const count = (openStreams.get(claims.identity) ?? 1) - 1;
      if (count <= 0) openStreams.delete(claims.identity);
      else openStreams.set(claims.identity, count);
      closers.delete(closeThis);
      if (closers.size === 0 && streamClosers.get(claims.identity) === closers)
        streamClosers.delete(claims.identity);
    });

    // Subscribe before reading history so nothing falls between the two; anything the
    // subscription reports meanwhile waits and is de-duplicated by index.
    let lastIndex = after;
    let live = false;
    const waiting: WebchatEvent[] = [];
    const deliver = (event: WebchatEvent) => {
      if (event.type === "message") {
        if (event.message.index <= lastIndex) return;
        lastIndex = event.message.index;
        events.send("message", toWire(event.message), event.message.index);
      } else if (event.type === "typing") {
        events.send("typing", { on: event.on });
      } else {
        events.send("state", { closed: event.closed });
      }
    };
    const unsubscribe = deps.subscribe(conversationSid, (event) => {
      if (live) deliver(event);
      else waiting.push(event);
    });
    events.onClose(unsubscribe);
    try {
      const earlier = await deps.history(conversationSid, after >= 0 ? { after } : {});
      if (events.closed) return;
      events.send("state", { closed });
      for (const message of earlier) deliver({ type: "message", message });
      live = true;
      for (const event of waiting.splice(0)) deliver(event);
    } catch (error) {
      // Gone meanwhile: the browser reconnects and meets the 409 above.
      if (!isWebchatConversationGone(error))
        logger.error({ err: error, conversationSid }, "web chat stream could not load history");
      events.close();
    }
  }

  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path === webchatPaths.script || path === webchatPaths.scriptMap) {
      const isMap = path === webchatPaths.scriptMap;
      const bytes = isMap ? widget.map : widget.script;
      try {
        if (request.method !== "GET" && request.method !== "HEAD") {
          throw methodNotAllowed(["GET", "HEAD"]);
        }
        response.writeHead(200, {
          "content-type": isMap
            ? "application/json; charset=utf-8"
            : "text/javascript; charset=utf-8",
          "content-length": String(Buffer.byteLength(bytes)),
          "cache-control": "public, max-age=300",
          "cross-origin-resource-policy": "cross-origin",
          // Public code; lets pages load it with `crossorigin` (and SRI) too.
          "access-control-allow-origin": "*",
          "x-content-type-options": "nosniff",
        });
        response.end(request.method === "HEAD" ? undefined : bytes);
      } catch (error) {
        sendError(response, error, logger);
      }
      return true;
    }
    if (path !== "/webchat" && !path.startsWith("/webchat/")) return false;

    let cors: Record<string, string> = {};
    try {
      cors = corsHeaders(request);
      if (request.method === "OPTIONS") {
        response.writeHead(204, {
          ...cors,
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "authorization, content-type, last-event-id, x-filename",
          "access-control-max-age": "600",
        });
        response.end();
        return true;
      }
      if (path === webchatPaths.session) {
        if (request.method !== "POST") throw methodNotAllowed(["POST"]);
        await session(request, response, cors);
      } else if (path === webchatPaths.messages) {
        if (request.method !== "POST") throw methodNotAllowed(["POST"]);
        await messages(request, response, cors);
      } else if (path === webchatPaths.uploads) {
        try {
          if (request.method !== "POST") throw methodNotAllowed(["POST"]);
          await upload(request, response, cors);
        } catch (error) {
          // A refused upload's body is never read: close the connection after the answer
          // instead of draining megabytes the visitor should not have sent.
          if (!request.complete && !response.headersSent) response.setHeader("connection", "close");
          throw error;
        }
      } else if (path === webchatPaths.media) {
        if (request.method !== "GET") throw methodNotAllowed(["GET"]);
        await media(request, response, url, cors);
      } else if (path === webchatPaths.streamTicket) {
        if (request.method !== "POST") throw methodNotAllowed(["POST"]);
        const claims = verify(bearerToken(request));
        conversationOf(claims);
        request.resume();
        sendJson(response, 201, { ticket: issueTicket(claims), expiresInMs: streamTicketMs }, cors);
      } else if (path === webchatPaths.stream) {
        if (request.method !== "GET") throw methodNotAllowed(["GET"]);
        await stream(request, response, url, cors);
      } else if (
        !(await customerRoutes(path, request, response, {
          claims: () => verify(bearerToken(request)),
          conversationSid: conversationOf,
          client: clientAddress(request),
          cors,
          maxBodyBytes,
        }))
      ) {
        throw new RequestError(404, "not_found", `No web chat endpoint at ${path}.`);
      }
    } catch (error) {
      if (error instanceof RequestError && error.status >= 500)
        logger.error({ err: error }, "web chat request failed");
      sendError(response, error, logger, cors);
    }
    return true;
  };
}

function closedError(): RequestError {
  return new RequestError(
    409,
    "conversation_closed",
    "This conversation has ended; start a new one.",
  );
}

function goneError(): RequestError {
  return new RequestError(
    409,
    "conversation_gone",
    "This conversation no longer exists; start a new one.",
  );
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === "string" ? value : null;
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (match === null) {
    throw new RequestError(401, "token_malformed", "Send `Authorization: Bearer <token>`.", {
      headers: { "www-authenticate": "Bearer" },
    });
  }
  return match[1];
}

/** An index cursor: absent means "from the start" (-1). */
function readIndex(value: string | null, name: string): number {
  if (value === null || value === "") return -1;
  if (!/^-?\d{1,15}$/.test(value) || Number(value) < -1) {
    throw new RequestError(
      400,
      "invalid_cursor",
      `\`${name}\` must be a message index (an integer ≥ -1).`,
    );
  }
  return Number(value);
}

function toWire(message: WebchatMessage) {
  return {
    index: message.index,
    author: message.author,
    body: message.body,
    media: message.media,
    dateCreated: message.dateCreated,
    role: message.role,
    ...(message.choices === undefined ? {} : { choices: message.choices }),
  };
}
