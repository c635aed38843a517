import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { listenHttp, type RunningServer } from "../http/listen-http.js";
import { createLogger } from "../log/create-logger.js";
import { createService, type Service } from "./create-service.js";

/** `/metrics` behind its own token, one aggregate store query per scrape. */
let emulator: Emulator;
let directory: string;
let service: Service;
let url: string;
let server: RunningServer;
const metricsToken = "metrics-scrape-token-0123456789";

beforeAll(async () => {
  emulator = await startEmulator({ webhookRetries: 0 });
  directory = mkdtempSync(join(tmpdir(), "operations-"));
  service = await createService({
    mode: "serve",
    host: "127.0.0.1",
    port: 0,
    stateDirectory: directory,
    environment: {},
    database: { kind: "sqlite", path: join(directory, "mailbox.db") },
    agent: functionAgent(async () => "ok"),
    twilio: {
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      serviceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
    },
    webhookPath: "/twilio/webhook",
    consoleInfo: { channels: ["sms"], numbers: {} },
    metricsToken,
    logger: createLogger({ level: "silent", env: {} }),
  });
  // Mounted, not started: no worker drains the messages the scrape counts.
  server = await listenHttp(service.handler);
  url = server.url;
});
afterAll(async () => {
  await server?.close();
  await service?.close();
  await emulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("/metrics", () => {
  it("answers 401 without its token and is not opened by the console token", async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const withConsole = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${service.consoleToken}` },
    });
    expect(withConsole.status).toBe(401);
  });

  it("reads the queue depth and dead letters from one stats() query, not one per conversation", async () => {
    const mailbox = service.switchboard.mailbox;
    for (let index = 0; index < 30; index += 1) {
      await mailbox.ingest({
        conversationSid: `CH${String(index).padStart(32, "0")}`,
        messageSid: `IM${String(index).padStart(32, "0")}`,
        index: 0,
        author: "+15550000000",
        body: "hi",
        media: [],
        attributes: {},
        role: "customer",
        channel: "sms",
        source: "SMS",
        dateCreated: Date.now(),
        receivedAt: Date.now(),
      });
    }
    const calls: string[] = [];
    for (const name of ["stats", "conversation", "knownConversations", "deadLetters"] as const) {
      const original = mailbox[name].bind(mailbox) as (...args: unknown[]) => unknown;
      (mailbox as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls.push(name);
        return original(...args);
      };
    }
    const scrape = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(calls).toEqual(["stats"]);
    expect(text).toMatch(/queue_depth\S* 30\b/);
  });

  it("/readyz names checks and states without raw error text", async () => {
    const body = (await (await fetch(`${url}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    expect(Object.keys(body.checks).sort()).toEqual(["mailbox", "provider", "workers"]);
  });
});
