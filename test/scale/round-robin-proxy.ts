import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

/**
 * A round-robin HTTP proxy over the instances' ports: the load balancer Twilio calls. Like
 * nginx with `proxy_next_upstream error non_idempotent`, a request whose instance refuses or
 * drops the connection goes to the next instance (safe: ingest dedupes by MessageSid and
 * idempotency token); only when every instance fails does Twilio get a 502 and retry.
 */
export async function startRoundRobinProxy(ports: readonly number[]) {
  let next = 0;
  const answered = new Map<string, number>();
  const count = (key: string) => answered.set(key, (answered.get(key) ?? 0) + 1);
  const forward = (
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
    triesLeft: number,
  ) => {
    const port = ports[next++ % ports.length]!;
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (reply) => {
        count(`${port} ${reply.statusCode}`);
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    upstream.on("error", () => {
      count(`${port} failed over`);
      if (triesLeft > 1) forward(request, body, response, triesLeft - 1);
      else {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      }
    });
    upstream.end(body);
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => forward(request, Buffer.concat(chunks), response, ports.length));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
