import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one request. */
export type ProxyAnswer =
  /** Pass it to the target and relay the answer. */
  | { kind: "forward" }
  /** Answer this status with a Twilio error body; the target never sees the request. */
  | { kind: "status"; status: number; code?: number; retryAfter?: string }
  /** Pass it to the target (so it takes effect), then answer this status instead. */
  | { kind: "commitThenStatus"; status: number; code?: number }
  /** Pass it to the target, then cut the connection without an answer. */
  | { kind: "commitThenReset" }
  /** Pass it to the target, then never answer (until the caller gives up or the proxy closes). */
  | { kind: "commitThenHold" }
  /** Pass it to the target and relay the answer with its body rewritten. */
  | { kind: "rewrite"; body: (original: string) => string };

/** One request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** 1-based arrival number. */
  number: number;
}

/** A local HTTP server in front of the emulator that injects faults and counts concurrency. */
export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  /** The most requests that were in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * Starts the proxy on 127.0.0.1 (port 0). `decide` picks each request's fate; `holdMs`
 * keeps every request in flight a little so concurrent ones overlap visibly.
 */
export async function startFaultProxy(
  targetUrl: string,
  decide: (request: ProxiedRequest) => ProxyAnswer = () => ({ kind: "forward" }),
  options: { holdMs?: number } = {},
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const requests: ProxiedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((incoming, outgoing) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    outgoing.on("close", () => {
      inFlight -= 1;
    });
    const seen: ProxiedRequest = {
      method: incoming.method ?? "GET",
      path: incoming.url ?? "/",
      number: requests.length + 1,
    };
    requests.push(seen);
    void readBody(incoming).then(async (body) => {
      if (options.holdMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, options.holdMs));
      const answer = decide(seen);
      if (answer.kind === "status") {
        sendError(outgoing, answer.status, answer.code, answer.retryAfter);
        return;
      }
      const relayed = await forward(target, incoming, body);
      if (answer.kind === "forward" || answer.kind === "rewrite") {
        const body =
          answer.kind === "rewrite"
            ? Buffer.from(answer.body(relayed.body.toString("utf8")))
            : relayed.body;
        outgoing.writeHead(relayed.status, {
          ...relayed.headers,
          "content-length": String(body.length),
        });
        outgoing.end(body);
      } else if (answer.kind === "commitThenStatus") {
        sendError(outgoing, answer.status, answer.code, undefined);
      } else if (answer.kind === "commitThenHold") {
        // Nothing is sent: the caller's own timeout is what ends this request.
      } else {
        outgoing.socket?.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(
  outgoing: ServerResponse,
  status: number,
  code: number | undefined,
  retryAfter: string | undefined,
) {
  const body = JSON.stringify({
    code: code ?? status * 100,
    message: `Injected ${status}`,
    more_info: `https://www.twilio.com/docs/errors/${code ?? status * 100}`,
    status,
  });
  outgoing.writeHead(status, {
    "content-type": "application/json",
    ...(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
  });
  outgoing.end(body);
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

function forward(
  target: URL,
  incoming: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...incoming.headers,
      host: target.host,
      "content-length": String(body.length),
    };
    delete headers.connection;
    const outbound = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers,
      },
      (response) => {
        void readBody(response).then((answer) => {
          const relayed: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === "string" && name !== "transfer-encoding" && name !== "connection")
              relayed[name] = value;
          }
          relayed["content-length"] = String(answer.length);
          resolve({ status: response.statusCode ?? 502, headers: relayed, body: answer });
        }, reject);
      },
    );
    outbound.on("error", reject);
    outbound.end(body);
  });
}
