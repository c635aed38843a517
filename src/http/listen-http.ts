import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A Node request listener. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

/** A listening server and how to stop it. */
export interface RunningServer {
  server: Server;
  /** `http://host:port`, with the real port when 0 was asked. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Limits on the listening socket itself; the defaults suit a service on the open internet. */
export interface ServerLimits {
  /** Open connections at once; more are refused at accept. Default 1024. */
  maxConnections?: number;
  /** Time for a client to send its whole header block, in ms. Default 10 000. */
  headersTimeoutMs?: number;
  /** Time for a client to send its whole request (headers and body), in ms. Default 30 000. */
  requestTimeoutMs?: number;
}

/** Default {@link ServerLimits}. */
export const defaultServerLimits = {
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

/** Listens on `host:port` (default 127.0.0.1, port 0 picks a free one). */
export async function listenHttp(
  handler: NodeHandler,
  options: { port?: number; host?: string; limits?: ServerLimits } = {},
): Promise<RunningServer> {
  const limits = { ...defaultServerLimits, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`limits.${name} must be a positive integer, got ${value}.`);
  }
  const server = createServer(
    {
      // Slow senders are cut off in seconds, not minutes; the check runs often enough for
      // the timeouts to mean what they say.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (request, response) => {
      Promise.resolve(handler(request, response)).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
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
