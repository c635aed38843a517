import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readJsonBody, sendError, sendJson, silentFaceLogger } from "./json-http.js";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function jsonServer(maxBytes: number) {
  const server = createServer((request, response) => {
    readJsonBody(request, maxBytes).then(
      (body) => sendJson(response, 200, { body }),
      (error: unknown) => sendError(response, error, silentFaceLogger),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("readJsonBody", () => {
  it("answers a body that never ends 413 and closes the connection, so the flood stops", async () => {
    const port = await jsonServer(1024);
    const outcome = await new Promise<{
      status: number;
      connection: string | undefined;
      sentKiB: number;
    }>((resolve, reject) => {
      const request = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      let sentKiB = 0;
      let status = 0;
      let connection: string | undefined;
      const chunk = Buffer.alloc(1024, "a");
      // Keeps writing until the server ends the conversation (at most 64 MiB).
      const pump = () => {
        while (sentKiB < 65_536 && !request.destroyed) {
          sentKiB += 1;
          if (!request.write(chunk)) return void request.once("drain", pump);
        }
      };
      request.on("response", (response) => {
        status = response.statusCode ?? 0;
        connection = response.headers.connection;
        response.resume();
      });
      request.on("close", () => resolve({ status, connection, sentKiB }));
      request.on("error", () => {});
      setTimeout(() => reject(new Error("the server kept reading")), 10_000).unref();
      pump();
    });
    expect(outcome.status).toBe(413);
    expect(outcome.connection).toBe("close");
    expect(outcome.sentKiB).toBeLessThan(65_536);
  });

  it("keeps the connection for a body within the limit", async () => {
    const port = await jsonServer(1024);
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hi" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("connection")).not.toBe("close");
    await expect(response.json()).resolves.toEqual({ body: { text: "hi" } });
  });
});
