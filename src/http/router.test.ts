import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { listenHttp, type RunningServer } from "./listen-http.js";
import { createRouter } from "./router.js";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: ReturnType<typeof createRouter>) {
  server = await listenHttp(handler);
  return server.url;
}

const switchboardWebhook = {
  path: "/twilio/webhook",
  handler: (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    response.writeHead(200, { "x-from": "switchboard" });
    response.end();
  },
};

describe("createRouter", () => {
  it("routes the webhook to its handler before any face", async () => {
    const url = await serve(
      createRouter({
        webhook: switchboardWebhook,
        faces: [
          async (_request, response) => {
            response.writeHead(418);
            response.end();
            return true;
          },
        ],
      }),
    );
    const webhook = await fetch(`${url}/twilio/webhook`, { method: "POST", body: "x" });
    expect(webhook.headers.get("x-from")).toBe("switchboard");
    expect((await fetch(`${url}/anything`)).status).toBe(418);
  });

  it("asks faces in order and falls through to a 404", async () => {
    const seen: string[] = [];
    const url = await serve(
      createRouter({
        webhook: switchboardWebhook,
        faces: [
          async (request, response) => {
            seen.push(`first ${request.url}`);
            if (request.url !== "/mine") return false;
            response.end("mine");
            return true;
          },
          async (request) => {
            seen.push(`second ${request.url}`);
            return false;
          },
        ],
      }),
    );
    expect(await (await fetch(`${url}/mine`)).text()).toBe("mine");
    const missing = await fetch(`${url}/nobody`);
    expect(missing.status).toBe(404);
    expect(seen).toEqual(["first /mine", "first /nobody", "second /nobody"]);
  });

  it("answers /readyz 200 when every check passes and 503 naming the failing ones", async () => {
    let workers = true;
    const url = await serve(
      createRouter({
        webhook: switchboardWebhook,
        readiness: {
          mailbox: async () => ({ ok: true }),
          workers: () => (workers ? { ok: true } : { ok: false, detail: "not running" }),
          provider: () => {
            if (!workers) throw new Error("circuit open");
            return { ok: true };
          },
        },
      }),
    );
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).ok).toBe(true);
    workers = false;
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      ok: false,
      checks: {
        mailbox: { ok: true },
        workers: { ok: false, detail: "not running" },
        // Issue 11: a thrown check's raw text stays out of the answer.
        provider: { ok: false, detail: "failed" },
      },
    });
    expect((await fetch(`${url}/readyz`, { method: "DELETE" })).status).toBe(405);
    expect((await fetch(`${url}/readyz`, { method: "HEAD" })).status).toBe(503);
  });

  it("serves /metrics with the renderer's content type", async () => {
    const url = await serve(
      createRouter({
        webhook: switchboardWebhook,
        metrics: async () => ({ contentType: "text/plain; version=0.0.4", body: "up 1\n" }),
      }),
    );
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4");
    expect(await metrics.text()).toBe("up 1\n");
    expect((await fetch(`${url}/metrics`, { method: "POST", body: "x" })).status).toBe(405);
  });

  it("asks for its own bearer token on /metrics when one is set", async () => {
    const url = await serve(
      createRouter({
        webhook: switchboardWebhook,
        metrics: async () => ({ contentType: "text/plain", body: "up 1\n" }),
        metricsToken: "scrape-token-0123456789abcdef",
      }),
    );
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${url}/metrics`, {
      headers: { authorization: "Bearer scrape-token-0123456789abcdef" },
    });
    expect(await right.text()).toBe("up 1\n");
  });
});
