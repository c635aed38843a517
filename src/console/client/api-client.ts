/** A console API call that failed; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** What the console says when the server does not answer at all. */
export const unreachableMessage =
  "Can't reach the switchboard server. It may have stopped; the console reconnects when it is back.";

export interface ApiClientOptions {
  fetch: typeof fetch;
  /** The console token, when the operator gave one. */
  token(): string | null;
  /** Called on every 401, with whether a token was sent (the gate says "not accepted"). */
  onUnauthorized(hadToken: boolean): void;
}

export type ApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The console's one way to call its API: JSON in and out, the bearer token when there is
 * one, and errors an operator can read — the server's own message in plain words, or a
 * sentence saying the server is unreachable instead of the browser's "Failed to fetch".
 */
export function createApiClient(options: ApiClientOptions): ApiCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await options.fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, unreachableMessage);
    }
    let text = "";
    try {
      text = await response.text();
    } catch {
      throw new ApiError(0, unreachableMessage);
    }
    const data = parseJson(text);
    if (response.status === 401) options.onUnauthorized(Boolean(token));
    if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data));
    return data as T;
  };
}

/**
 * Fetches a binary resource of the API (an attachment) as a blob, with the bearer token in
 * the header like every other call; failures throw `ApiError` with the server's message.
 */
export function createBlobFetch(options: ApiClientOptions): (path: string) => Promise<Blob> {
  return async (path) => {
    const headers: Record<string, string> = {};
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await options.fetch(path, { method: "GET", headers, credentials: "same-origin" });
    } catch {
      throw new ApiError(0, unreachableMessage);
    }
    if (response.status === 401) options.onUnauthorized(Boolean(token));
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new ApiError(response.status, errorMessage(response.status, parseJson(text)));
    }
    try {
      return await response.blob();
    } catch {
      throw new ApiError(0, unreachableMessage);
    }
  };
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The server's error message as a plain sentence: code-style backticks around field names
 * are dropped ("`from` must be…" → "From must be…"); a missing message becomes a sentence
 * about the status rather than a bare number.
 */
export function errorMessage(status: number, data: unknown): string {
  const message =
    typeof data === "object" &&
    data !== null &&
    "error" in data &&
    typeof data.error === "object" &&
    data.error !== null &&
    "message" in data.error &&
    typeof data.error.message === "string"
      ? data.error.message
      : "";
  if (message) return plainWords(message);
  if (status >= 500) return "The server ran into a problem. Try again in a moment.";
  if (status === 404) return "That is no longer there.";
  if (status === 401) return "The console token was not accepted.";
  return "The server refused that request.";
}

const fieldNames: Record<string, string> = {
  from: "The customer's address",
  text: "The message",
  channel: "The channel",
  on: "The hand-over choice",
};

/** Turns developer wording (backticked field names, header syntax) into a plain sentence. */
export function plainWords(message: string): string {
  let result = message.replace(/^`([\w.-]+)`/, (_whole, name: string) => fieldNames[name] ?? name);
  result = result.replace(/ as `Authorization: Bearer <token>`/g, "");
  result = result.replace(/`([^`]+)`/g, "$1");
  return result.charAt(0).toUpperCase() + result.slice(1);
}
