import type { IncomingMessage } from "node:http";
import { WebhookParseError, WebhookPayloadTooLargeError } from "../errors.js";

/**
 * Conversations webhooks are a few kilobytes (a 1600-character body, attributes, media
 * fields); 64 KB leaves room and keeps a forged upload cheap.
 */
export const defaultMaxBodyBytes = 64 * 1024;

/** Header values as Node gives them. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A request already taken apart by the caller (a framework, a queue, a test). */
export interface WebhookRequestParts {
  /** The URL the request arrived at: absolute, or a path resolved against the `Host` header. */
  url: string;
  headers: Headers | HeaderRecord;
  /** The raw body (string or bytes), or the form fields already parsed by a body parser. */
  body?: string | Uint8Array | Readonly<Record<string, unknown>> | undefined;
  /** Defaults to `POST`. */
  method?: string | undefined;
}

/** Anything `parseWebhookEvent` accepts. */
export type WebhookInput = Request | IncomingMessage | WebhookRequestParts;

/** Reads one header by lower-case name, as `Headers.get` does (a `Headers` is one). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** A request reduced to what verification and parsing need. */
export interface WebhookRequest {
  method: string;
  /** The absolute URL as this server saw it (after `trustProxy`). */
  url: string;
  headers: HeaderReader;
  /** The raw body when available; `undefined` when only parsed fields were handed over. */
  rawBody: string | undefined;
  /** Fields parsed by someone else's body parser, when the raw body is gone. */
  parsedBody: Readonly<Record<string, unknown>> | undefined;
}

export interface ReadWebhookRequestOptions {
  /** Body size cap in bytes; default 64 KB. */
  maxBodyBytes?: number | undefined;
  /** Believe `X-Forwarded-Proto` / `X-Forwarded-Host`; only behind a proxy you control. */
  trustProxy?: boolean | undefined;
}

/** Express-style extras a Node request may carry once middleware has run. */
type NodeRequestExtras = IncomingMessage & {
  originalUrl?: unknown;
  rawBody?: unknown;
  body?: unknown;
};

/**
 * Reads a Fetch `Request`, a Node `IncomingMessage` (using an Express body parser's
 * `rawBody`/`body` when one ran, else streaming the body itself) or request parts into a
 * `WebhookRequest`. Throws `WebhookPayloadTooLargeError` past the size cap.
 */
export async function readWebhookRequest(
  input: WebhookInput,
  options: ReadWebhookRequestOptions = {},
): Promise<WebhookRequest> {
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const trustProxy = options.trustProxy ?? false;

  if (input instanceof Request) {
    checkDeclaredLength(input.headers, limit);
    const rawBody = input.body === null ? "" : await readWebStream(input.body, limit);
    return {
      method: input.method.toUpperCase(),
      url: publicUrl(input.url, input.headers, trustProxy, "http"),
      headers: input.headers,
      rawBody,
      parsedBody: undefined,
    };
  }

  if (isIncomingMessage(input)) {
    const request = input as NodeRequestExtras;
    const headers = nodeHeaders(request.headers);
    const path =
      typeof request.originalUrl === "string" ? request.originalUrl : (request.url ?? "/");
    const scheme = (request.socket as { encrypted?: boolean } | null)?.encrypted ? "https" : "http";
    const base = {
      method: (request.method ?? "POST").toUpperCase(),
      url: publicUrl(path, headers, trustProxy, scheme),
      headers,
    };
    const body = await nodeBody(request, headers, limit);
    return { ...base, ...body };
  }

  const headers = input.headers instanceof Headers ? input.headers : toHeaders(input.headers);
  const body = input.body;
  let rawBody: string | undefined;
  let parsedBody: Readonly<Record<string, unknown>> | undefined;
  if (body === undefined) rawBody = "";
  else if (typeof body === "string" || body instanceof Uint8Array)
    rawBody = decodeCapped(body, limit);
  else parsedBody = body;
  return {
    method: (input.method ?? "POST").toUpperCase(),
    url: publicUrl(input.url, headers, trustProxy, "http"),
    headers,
    rawBody,
    parsedBody,
  };
}

function isIncomingMessage(input: WebhookInput): input is IncomingMessage {
  return (
    typeof (input as IncomingMessage).on === "function" &&
    typeof (input as IncomingMessage).headers === "object" &&
    "socket" in input
  );
}

async function nodeBody(
  request: NodeRequestExtras,
  headers: HeaderReader,
  limit: number,
): Promise<Pick<WebhookRequest, "rawBody" | "parsedBody">> {
  checkDeclaredLength(headers, limit);
  // A body parser that kept the raw body (`verify` hook, Fastify, raw/text parsers) wins:
  // the signature is over those exact bytes.
  for (const candidate of [request.rawBody, request.body]) {
    if (typeof candidate === "string" || candidate instanceof Uint8Array) {
      return { rawBody: decodeCapped(candidate, limit), parsedBody: undefined };
    }
  }
  if (typeof request.body === "object" && request.body !== null && request.readableEnded) {
    return { rawBody: undefined, parsedBody: request.body as Record<string, unknown> };
  }
  if (request.readableEnded) {
    throw new WebhookParseError(
      "The request body was already consumed by another body parser that kept neither the raw body nor form fields; mount the webhook handler before it or give it a raw body.",
    );
  }
  return { rawBody: await readNodeStream(request, limit), parsedBody: undefined };
}

function checkDeclaredLength(headers: HeaderReader, limit: number): void {
  const declared = Number(headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new WebhookPayloadTooLargeError(limit);
}

function decodeCapped(body: string | Uint8Array, limit: number): string {
  const bytes = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
  if (bytes > limit) throw new WebhookPayloadTooLargeError(limit);
  return typeof body === "string"
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

async function readWebStream(stream: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new WebhookPayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function readNodeStream(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        cleanup();
        // Drain without keeping anything so the 413 can still be written; the handler
        // answers with `Connection: close`, which ends the flood.
        request.resume();
        reject(new WebhookPayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      // A webhook body usually arrives in one chunk: decoded in place, without a copy.
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
      resolve(body.toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(
        new WebhookParseError(`Could not read the request body: ${error.message}`, {
          cause: error,
        }),
      );
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
}

/**
 * A Node request's headers as read: Node already lower-cases the names and joins repeated
 * values with ", " (arrays only for `set-cookie`), so reading the record gives what a
 * `Headers` built from it would, without building one (a Fetch `Headers` validates and
 * copies every header: a measurable share of a webhook's cost).
 */
function nodeHeaders(record: IncomingMessage["headers"]): HeaderReader {
  return {
    get(name) {
      const value = record[name.toLowerCase()];
      if (value === undefined) return null;
      return typeof value === "string" ? value : value.join(", ");
    },
  };
}

/** Headers handed over by a caller: names in any case, so normalised through `Headers`. */
function toHeaders(record: HeaderRecord): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (typeof value === "string") headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * The URL as the server saw it, or as the client sent it when a trusted proxy says so.
 * Forwarded headers are only honoured with `trustProxy`: anyone can send them.
 */
function publicUrl(
  url: string,
  headers: HeaderReader,
  trustProxy: boolean,
  scheme: string,
): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  const firstOf = (name: string) => headers.get(name)?.split(",")[0]?.trim() || undefined;
  let protocol = scheme;
  let host = headers.get("host") ?? "localhost";
  let rest = url;
  if (absolute) {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
    protocol = match?.[1] ?? scheme;
    host = match?.[2] ?? host;
    rest = match?.[3] ?? "";
  }
  if (trustProxy) {
    protocol = firstOf("x-forwarded-proto") ?? protocol;
    host = firstOf("x-forwarded-host") ?? host;
  }
  if (!rest.startsWith("/")) rest = `/${rest}`;
  return `${protocol}://${host}${rest}`;
}
