import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { ConfigError } from "../errors.js";
import { listenHttp } from "../http/listen-http.js";
import { createLogger } from "../log/create-logger.js";
import { computeTwilioSignature } from "../twilio/webhook/verify-signature.js";
import { encodeWebhookForm, webhookFixture } from "../twilio/webhook/webhook-fixtures.js";
import { createService } from "./create-service.js";
import type { ServiceOptions } from "./service-options.js";

let emulator: Emulator;
let directory: string;
beforeAll(async () => {
  emulator = await startEmulator({ webhookRetries: 0 });
  directory = mkdtempSync(join(tmpdir(), "create-service-"));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

const optionsIn = (
  folder: string,
  twilio: Partial<ServiceOptions["twilio"]> = {},
): ServiceOptions => ({
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
    ...twilio,
  },
  webhookPath: "/twilio/webhook",
  consoleInfo: { channels: ["sms"], numbers: {} },
  logger: createLogger({ level: "silent", env: {} }),
});

describe("createService as a library", () => {
  it("counts a redelivered webhook as a duplicate in /metrics, not as accepted", async () => {
    const folder = mkdtempSync(join(directory, "duplicates-"));
    const service = await createService(optionsIn(folder));
    const server = await listenHttp(service.handler);
    try {
      const url = `${server.url}/twilio/webhook`;
      const post = (messageSid: string) => {
        const fields = webhookFixture("onMessageAdded", {
          MessageSid: messageSid,
          ConversationSid: `CH${"d".repeat(32)}`,
          Index: messageSid.endsWith("1") ? "0" : "1",
        });
        return fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": computeTwilioSignature(emulator.authToken, url, fields),
          },
          body: encodeWebhookForm(fields),
        });
      };
      const first = `IM${"0".repeat(31)}1`;
      const second = `IM${"0".repeat(31)}2`;
      // A redelivery beside a new message, at once: each counts for its own request.
      const statuses = await Promise.all([post(first), post(first), post(second)]);
      expect(statuses.map((response) => response.status)).toEqual([200, 200, 200]);
      expect((await post(second)).status).toBe(200);
      const body = await (await fetch(`${server.url}/metrics`)).text();
      expect(body).toContain('switchboard_webhooks_total{outcome="accepted"} 2');
      expect(body).toContain('switchboard_webhooks_total{outcome="duplicate"} 2');
    } finally {
      await server.close();
      await service.close();
    }
  });

  it("serves every route from its handler in your own server; ready once started", async () => {
    const folder = mkdtempSync(join(directory, "mounted-"));
    const service = await createService(optionsIn(folder));
    const server = await listenHttp(service.handler);
    try {
      // Mounted but not started: up, not ready.
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect(await service.ready()).toMatchObject({
        ok: false,
        checks: { mailbox: { ok: true }, workers: { ok: false, detail: "not running" } },
      });
      await service.start();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect((await service.ready()).ok).toBe(true);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(
        "switchboard_webhooks_total",
      );
      expect((await fetch(`${server.url}/webchat.js`)).status).toBe(200);
      expect((await fetch(`${server.url}/twilio/webhook`)).status).toBe(405);
      // Forged: refused by the same webhook route `serve` uses.
      expect(
        (await fetch(`${server.url}/twilio/webhook`, { method: "POST", body: "a=b" })).status,
      ).toBe(403);
      expect((await fetch(`${server.url}/nobody`)).status).toBe(404);
    } finally {
      await server.close();
      await service.close();
    }
    await service.close();
    // Closed cleanly: SQLite folds its write-ahead log back into the file on the last close.
    expect(existsSync(join(folder, "mailbox.db-wal"))).toBe(false);
  });

  it("closes what it opened when a later step fails, and rejects naming the option", async () => {
    const folder = mkdtempSync(join(directory, "failing-"));
    // The mailbox opens first; the provider then refuses its Account SID.
    const failure = await createService(
      optionsIn(folder, { accountSid: "not-an-account-sid" }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).option).toBe("accountSid");
    expect(readdirSync(folder)).toContain("mailbox.db");
    expect(existsSync(join(folder, "mailbox.db-wal"))).toBe(false);
  });

  it("refuses a bad catchUpRequestsPerSecond by its own name, before making the mailbox", async () => {
    const folder = mkdtempSync(join(directory, "budget-"));
    const failure = await createService({
      ...optionsIn(folder),
      catchUpRequestsPerSecond: 0,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).option).toBe("catchUpRequestsPerSecond");
    expect(readdirSync(folder)).toEqual([]);
  });

  it("refuses web chat uploads it cannot check, naming the config option", async () => {
    const folder = mkdtempSync(join(directory, "uploads-"));
    const failure = await createService({
      ...optionsIn(folder),
      channels: { webchat: { uploads: { contentTypes: ["video/mp4"] } } },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).option).toBe("channels.webchat.uploads.contentTypes");
    expect(existsSync(join(folder, "mailbox.db-wal"))).toBe(false);
  });
});
