import type { WebchatErrorResponse } from "../webchat-wire.js";

/** One answer from the web chat API: status, parsed JSON (or null) and `Retry-After`. */
export interface ApiResult<T> {
  status: number;
  data: T | null;
  /** Seconds, from `Retry-After`; 0 when absent. */
  retryAfter: number;
}

export type WidgetCall = <T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) => Promise<ApiResult<T>>;

/**
 * Calls the switchboard at `origin`: JSON, the visitor token as a bearer header, never
 * cookies. Rejects only when the server cannot be reached.
 */
export function createWidgetCall(origin: string, fetcher: typeof fetch): WidgetCall {
  return async <T>(method: string, path: string, body?: unknown, token?: string | null) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetcher(origin + path, {
      method,
      headers,
      credentials: "omit",
      mode: "cors",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let data: T | null = null;
    try {
      data = text ? (JSON.parse(text) as T) : null;
    } catch {
      data = null;
    }
    return {
      status: response.status,
      data,
      retryAfter: Number(response.headers.get("retry-after")) || 0,
    };
  };
}

/**
 * The server's error message from an answer, or `fallback`. Backticks (the API marks field
 * names with them for developers) are dropped: the visitor reads this.
 */
export function errorText(data: unknown, fallback: string): string {
  const error = (data as Partial<WebchatErrorResponse> | null)?.error;
  const message = typeof error?.message === "string" ? error.message.replace(/`/g, "").trim() : "";
  return message || fallback;
}

/** The server's stable error code from an answer, or `undefined`. */
export function errorCode(data: unknown): string | undefined {
  const error = (data as Partial<WebchatErrorResponse> | null)?.error;
  return typeof error?.code === "string" ? error.code : undefined;
}

/**
 * Sends one file to `POST /webchat/uploads`: the raw bytes with their type, the name
 * percent-encoded in `X-Filename`, the visitor token as a bearer header. Rejects only when
 * the server cannot be reached.
 */
export function createWidgetUpload(origin: string, fetcher: typeof fetch) {
  return async <T>(file: Blob & { name: string }, type: string, token: string | null) => {
    const headers: Record<string, string> = {
      "content-type": type,
      "x-filename": encodeURIComponent(file.name),
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetcher(`${origin}/webchat/uploads`, {
      method: "POST",
      headers,
      credentials: "omit",
      mode: "cors",
      body: file,
    });
    const text = await response.text();
    let data: T | null = null;
    try {
      data = text ? (JSON.parse(text) as T) : null;
    } catch {
      data = null;
    }
    return {
      status: response.status,
      data,
      retryAfter: Number(response.headers.get("retry-after")) || 0,
    } satisfies ApiResult<T>;
  };
}

/** Reads an attachment of the visitor's conversation (`GET /webchat/media`) as a blob. */
export async function fetchAttachment(
  origin: string,
  fetcher: typeof fetch,
  token: string | null,
  index: number,
  position: number,
): Promise<Blob | null> {
  if (!token) return null;
  const response = await fetcher(`${origin}/webchat/media?index=${index}&position=${position}`, {
    headers: { authorization: `Bearer ${token}` },
    credentials: "omit",
    mode: "cors",
  });
  return response.ok ? await response.blob() : null;
}
