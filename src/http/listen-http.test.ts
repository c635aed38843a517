import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listenHttp, type RunningServer } from "./listen-http.js";
import { createRouter } from "./router.js";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("createRouter with listenHttp", () => {
  it("routes the webhook path and /healthz, refusing other paths and methods", async () => {
    const webhookCalls: string[] = [];
    let healthy = true;
    running = await listenHttp(
      createRouter({
        webhook: {
          path: "/hooks/twilio",
          handler: (request, response) => {
            webhookCalls.push(request.url ?? "");
            request.resume();
            response.writeHead(200);
            response.end();
          },
        },
        health: () => ({ ok: healthy, state: healthy ? "running" : "closing" }),
      }),
    );
    const url = running.url;
    expect((await fetch(`${url}/hooks/twilio?x=1`, { method: "POST", body: "a=b" })).status).toBe(
      200,
    );
    expect(webhookCalls).toEqual(["/hooks/twilio?x=1"]);
    const wrongMethod = await fetch(`${url}/hooks/twilio`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect((await fetch(`${url}/twilio/webhook`, { method: "POST", body: "x" })).status).toBe(404);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, state: "running" });
    healthy = false;
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`, { method: "POST" })).status).toBe(405);
    expect(webhookCalls).toHaveLength(1);
  });

  it("answers 500 when a handler throws, without crashing the server", async () => {
    running = await listenHttp(
      createRouter({
        webhook: {
          path: "/w",
          handler: () => {
            throw new Error("boom");
          },
        },
        health: () => ({ ok: true }),
      }),
    );
    expect((await fetch(`${running.url}/w`, { method: "POST" })).status).toBe(500);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

describe("listenHttp limits", () => {
  it("refuses connections beyond maxConnections", async () => {
    running = await listenHttp(
      (_request, response) => {
        response.writeHead(200);
        response.end("ok");
      },
      { limits: { maxConnections: 2 } },
    );
    const { port } = running;
    const sockets = [connect(port, "127.0.0.1"), connect(port, "127.0.0.1")];
    await Promise.all(sockets.map((socket) => once(socket, "connect")));
    await expect.poll(() => connectionCount(running!)).toBe(2);
    const third = connect(port, "127.0.0.1");
    // Accepted by the kernel, then closed by the server at once without an answer.
    await once(third, "close");
    expect(third.bytesRead).toBe(0);
    for (const socket of sockets) socket.destroy();
  });

  it("cuts off a client that sends its headers too slowly", async () => {
    running = await listenHttp(
      (_request, response) => {
        response.end("ok");
      },
      { limits: { headersTimeoutMs: 300, requestTimeoutMs: 300 } },
    );
    const socket = connect(running.port, "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n"); // never finishes the header block
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    const started = Date.now();
    await once(socket, "close");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

function connectionCount(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}
