import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestError } from "./request-error.js";

/** One log method, pino-style: structured fields first, then the message. */
export type FaceLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/** The logger the console and web chat APIs accept; a pino logger fits as is. */
export interface FaceLogger {
  /** Audit lines (operator actions); optional so a warn/error-only logger still fits. */
  info?: FaceLogMethod;
  warn: FaceLogMethod;
  error: FaceLogMethod;
}

/** The default logger: says nothing. */
export const silentFaceLogger: FaceLogger = { warn: () => {}, error: () => {} };

/**
 * Reads a JSON request body of at most `maxBytes`. Refuses, before reading, a declared
 * `Content-Length` over the limit, and stops reading (413) as soon as a chunked body
 * crosses it, so a client cannot make the server buffer more than the limit. The 413 says
 * `Connection: close`: the socket closes once it is written, so the rest of a flood is never
 * read (only drained until then, so the answer is not lost in a reset).
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") {
    throw new RequestError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const tooLarge = () =>
    new RequestError(413, "body_too_large", `The request body is larger than ${maxBytes} bytes.`, {
      headers: { connection: "close" },
    });
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > maxBytes) {
      // Drain the rest without keeping it so the 413 can still be written.
      request.resume();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestError(400, "invalid_json", "The request body is not valid JSON.");
  }
}

/** Requires a JSON object body and returns it as a record. */
export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RequestError(400, "invalid_body", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a chat text field: a non-blank string of at most `maxLength` characters
 * (Unicode code points, as a person counts them), without NUL or other C0 control
 * characters except tab and newlines. Returns it trimmed.
 */
export function readText(value: unknown, maxLength: number, field = "text"): string {
  if (typeof value !== "string") {
    throw new RequestError(400, "invalid_text", `\`${field}\` must be a string.`);
  }
  const text = value.trim();
  if (text === "") {
    throw new RequestError(400, "empty_text", `\`${field}\` must not be empty.`);
  }
  let length = 0;
  for (const _ of text) length += 1;
  if (length > maxLength) {
    throw new RequestError(
      400,
      "text_too_long",
      `\`${field}\` is ${length} characters; the limit is ${maxLength}.`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new RequestError(400, "invalid_text", `\`${field}\` contains control characters.`);
  }
  return text;
}

/** Writes a JSON response (never cached: everything here is per-visitor or live). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  response.end(text);
}

/**
 * The one place errors become HTTP: a `RequestError` keeps its status and code; anything
 * else is logged and answered 500 with a message that reveals nothing.
 */
export function sendError(
  response: ServerResponse,
  error: unknown,
  logger: FaceLogger,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof RequestError) {
    sendJson(
      response,
      error.status,
      { error: { code: error.code, message: error.message } },
      {
        ...headers,
        ...error.headers,
        ...(error.retryAfterSeconds === undefined
          ? {}
          : { "retry-after": String(error.retryAfterSeconds) }),
      },
    );
    return;
  }
  logger.error({ err: error }, "request failed");
  sendJson(
    response,
    500,
    { error: { code: "internal_error", message: "Something went wrong; try again." } },
    headers,
  );
}

/** The 405 for a known path asked with the wrong method. */
export function methodNotAllowed(allowed: readonly string[]): RequestError {
  return new RequestError(405, "method_not_allowed", `Use ${allowed.join(" or ")} for this path.`, {
    headers: { allow: allowed.join(", ") },
  });
}
