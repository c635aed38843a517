import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { ConfigError } from "../errors.js";
import { createLogger } from "../log/create-logger.js";
import { createService, type Service } from "./create-service.js";
import type { ServiceOptions } from "./service-options.js";

/**
 * `serve` on loopback behind a reverse proxy with nginx's defaults: `proxy_pass` rewrites
 * `Host` to the upstream address and every request arrives from 127.0.0.1. Nothing about
 * the request then says "remote", so the console must ask for its token regardless.
 */
let emulator: Emulator;
let directory: string;
let service: Service;
let proxy: Server;
let proxyUrl: string;

const optionsIn = (folder: string, overrides: Partial<ServiceOptions> = {}): ServiceOptions => ({
  mode: "serve",
  host: "127.0.0.1",
  port: 0,
  stateDirectory: folder,
  environment: {},
  database: { kind: "sqlite", path: join(folder, "mailbox.db") },
  agent: functionAgent(async (turn) => `re: ${turn.text}`),
  twilio: {
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    serviceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  },
  webhookPath: "/twilio/webhook",
  consoleInfo: { channels: ["sms"], numbers: {} },
  logger: createLogger({ level: "silent", env: {} }),
  ...overrides,
});

/** A minimal nginx: forwards to `upstream` with `Host` rewritten, appending X-Forwarded-For. */
function rewritingProxy(upstream: URL): Server {
  return createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: {
          ...incoming.headers,
          host: upstream.host,
          "x-forwarded-for": incoming.socket.remoteAddress ?? "",
        },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ webhookRetries: 0 });
  directory = mkdtempSync(join(tmpdir(), "behind-proxy-"));
  service = await createService(optionsIn(directory, { trustProxy: { hops: 1 } }));
  const { url } = await service.listen();
  proxy = rewritingProxy(new URL(url));
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await service?.close();
  await emulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

const sid = `CH${"0".repeat(32)}`;
const consoleRoutes: Array<[string, string]> = [
  ["GET", "/api/info"],
  ["GET", "/api/conversations"],
  ["GET", `/api/conversations/${sid}`],
  ["GET", "/api/stream"],
  ["POST", "/api/customers/send"],
  ["POST", `/api/conversations/${sid}/handoff`],
  ["POST", `/api/conversations/${sid}/reply`],
  ["POST", `/api/conversations/${sid}/retry`],
  ["POST", `/api/conversations/${sid}/skip`],
];

async function call(method: string, path: string, token?: string) {
  const response = await fetch(`${proxyUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(method === "POST" ? { "content-type": "application/json" } : {}),
    },
    ...(method === "POST" ? { body: JSON.stringify({ on: true, text: "hi" }) } : {}),
  });
  const status = response.status;
  await response.body?.cancel();
  return status;
}

describe("serve behind a Host-rewriting proxy", () => {
  it("generated a token once, kept beside the mailbox with mode 0600", async () => {
    expect(service.consoleTokenGenerated).toBe(true);
    const path = join(directory, "console-token");
    expect(service.consoleTokenStoredIn).toBe(path);
    expect(readFileSync(path, "utf8").trim()).toBe(service.consoleToken);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(service.consoleToken!.length).toBeGreaterThanOrEqual(22);
  });

  it("answers 401 on every console and operator route without the token", async () => {
    for (const [method, path] of consoleRoutes) {
      expect({ method, path, status: await call(method, path) }).toEqual({
        method,
        path,
        status: 401,
      });
    }
  });

  it("works with the token", async () => {
    const token = service.consoleToken!;
    expect(await call("GET", "/api/info", token)).toBe(200);
    expect(await call("GET", "/api/conversations", token)).toBe(200);
    expect(await call("GET", `/api/conversations/${sid}`, token)).toBe(404);
    // Not dev: writing as a customer stays refused even with the token.
    expect(await call("POST", "/api/customers/send", token)).toBe(403);
  });

  it("lets the operator revoke a web chat visitor: their token stops working at once", async () => {
    const session = await fetch(`${proxyUrl}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const { token, identity } = (await session.json()) as { token: string; identity: string };
    const revoke = await fetch(`${proxyUrl}/api/visitors/${identity}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${service.consoleToken}` },
    });
    expect(revoke.status).toBe(200);
    const refused = await fetch(`${proxyUrl}/webchat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "still here?" }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "token_revoked",
    );
    const resume = await fetch(`${proxyUrl}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(resume.status).toBe(401);
  });

  it("throttles wrong tokens per real client (429 with Retry-After), not per proxy", async () => {
    const guess = (from: string) =>
      fetch(`${proxyUrl}/api/info`, {
        headers: { authorization: "Bearer wrong-token", "x-forwarded-for": from },
      });
    // Behind the proxy every request comes from 127.0.0.1; trustProxy 1 keys on the client
    // the proxy saw, which here is 127.0.0.1 too — so spoofed X-Forwarded-For values from
    // the client cannot spread guesses over many keys.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1)
      statuses.push((await guess(`203.0.113.${attempt}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const refused = await guess("203.0.113.99");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even the right token waits: a throttled client's guesses are never compared.
    expect(await call("GET", "/api/info", service.consoleToken!)).toBe(429);
  });

  it("reuses the kept token on the next start and says it was not generated", async () => {
    const folder = mkdtempSync(join(directory, "again-"));
    const first = await createService(optionsIn(folder));
    await first.close();
    const second = await createService(optionsIn(folder));
    try {
      expect(second.consoleTokenGenerated).toBe(false);
      expect(second.consoleToken).toBe(first.consoleToken);
    } finally {
      await second.close();
    }
  });

  it("refuses a console token shorter than 16 random bytes, naming the variable", async () => {
    const folder = mkdtempSync(join(directory, "short-"));
    const error = await createService(optionsIn(folder, { consoleToken: "short-token" })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/SWITCHBOARD_CONSOLE_TOKEN must be at least 22/);
    expect((error as Error).message).not.toContain("short-token");
  });
});
