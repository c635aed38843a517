import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Route, RouteRequest, RouteResponse } from "./route.js";

/** A running server; `close()` also ends open keep-alive and streaming connections. */
export interface ServedRoutes {
  url: string;
  close(): Promise<void>;
}

export interface ServeRoutesOptions {
  /** The account every request is attributed to (no Basic auth here; the emulator checks it). */
  accountSid: string;
  /** Largest body read before answering 413, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /** Handles requests no route matched, e.g. an SSE stream; return `true` if handled. */
  fallback?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/**
 * Serves a routing table on 127.0.0.1 with a random port: the smallest adapter from
 * `node:http` to the route handler shape. Tests mount this folder's routes with it; the
 * emulator's own router does the same work plus authentication.
 */
export async function serveRoutes(
  routes: Route[],
  options: ServeRoutesOptions,
): Promise<ServedRoutes> {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    for (const route of routes) {
      const params = match(route.pattern, url.pathname);
      if (route.method !== method || params === undefined) continue;
      const rawBody = await readBody(request, maxBodyBytes);
      if (rawBody === undefined) {
        send(response, {
          status: 413,
          body: { code: 20001, message: "Request body too large", status: 413 },
        });
        return;
      }
      const contentType = String(request.headers["content-type"] ?? "");
      const routeRequest: RouteRequest = {
        method,
        path: url.pathname,
        params,
        query: url.searchParams,
        form: contentType.startsWith("application/x-www-form-urlencoded")
          ? new URLSearchParams(rawBody.toString("utf8"))
          : new URLSearchParams(),
        headers: request.headers,
        rawBody,
        accountSid: options.accountSid,
      };
      send(response, await route.handler(routeRequest));
      return;
    }
    if (options.fallback?.(request, response)) return;
    send(response, { status: 404, body: { code: 20404, message: "Not found", status: 404 } });
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of want.entries()) {
    const actual = got[index] ?? "";
    if (segment.startsWith("{") && segment.endsWith("}")) {
      if (actual === "") return undefined;
      params[segment.slice(1, -1)] = decodeURIComponent(actual);
    } else if (segment !== actual) return undefined;
  }
  return params;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: RouteResponse): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload: Buffer | string | undefined;
  if (Buffer.isBuffer(result.body)) payload = result.body;
  else if (result.body !== undefined) {
    payload = JSON.stringify(result.body);
    headers["content-type"] ??= "application/json";
  }
  response.writeHead(result.status, headers);
  response.end(payload);
}
