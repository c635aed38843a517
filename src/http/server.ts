import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A Node request listener. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

/** Options of {@link createHttpHandler}. */
export interface HttpRoutes {
  /** Path of the Conversations webhook (POST). */
  webhookPath: string;
  webhook: NodeHandler;
  /** Body of `GET /healthz`; `ok: false` answers 503 (e.g. while shutting down). */
  health: () => { ok: boolean } & Record<string, unknown>;
}

/**
 * The service's HTTP surface: `POST <webhookPath>` and `GET /healthz`; anything else 404,
 * a wrong method 405. Holds no business rules — the runtime supplies the handlers.
 */
export function createHttpHandler(routes: HttpRoutes): NodeHandler {
  return async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === routes.webhookPath) {
      if (request.method !== "POST") return answer(response, 405, { allow: "POST" });
      return routes.webhook(request, response);
    }
    if (path === "/healthz") {
      if (request.method !== "GET" && request.method !== "HEAD")
        return answer(response, 405, { allow: "GET" });
      const health = routes.health();
      const body = JSON.stringify(health);
      response.writeHead(health.ok ? 200 : 503, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : body);
      return;
    }
    answer(response, 404);
  };
}

function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}) {
  // Drain what the client sent so keep-alive connections stay usable.
  response.req.resume();
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end();
}

/** A listening server and how to stop it. */
export interface RunningServer {
  server: Server;
  /** `http://host:port`, with the real port when 0 was asked. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` (default 127.0.0.1, port 0 picks a free one). */
export async function listenHttp(
  handler: NodeHandler,
  options: { port?: number; host?: string } = {},
): Promise<RunningServer> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  // Twilio keeps connections alive between deliveries; a long idle timeout avoids resets.
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
