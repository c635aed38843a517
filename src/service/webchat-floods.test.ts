import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { createLogger } from "../log/create-logger.js";
import { createService, type Service } from "./create-service.js";

/**
 * A visitor hammering resume and reconnect: past the budgets they get 429, and what they do
 * get never turns into Twilio REST calls one-for-one (counted on the wire to the emulator).
 */
let emulator: Emulator;
let directory: string;
let service: Service;
let url: string;
let restRequests = 0;

beforeAll(async () => {
  emulator = await startEmulator({ webhookRetries: 0 });
  directory = mkdtempSync(join(tmpdir(), "webchat-floods-"));
  const httpClient = emulator.httpClient();
  const request = httpClient.request.bind(httpClient);
  httpClient.request = ((options: Parameters<typeof request>[0]) => {
    restRequests += 1;
    return request(options);
  }) as typeof httpClient.request;
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
      httpClient,
    },
    webhookPath: "/twilio/webhook",
    consoleInfo: { channels: ["chat"], numbers: {} },
    logger: createLogger({ level: "silent", env: {} }),
  });
  url = (await service.listen()).url;
});
afterAll(async () => {
  await service?.close();
  await emulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("web chat floods", () => {
  it("answers a resume flood 429 past the budget, with no Twilio request per resume", async () => {
    const started = (await (await post("/webchat/session", {})).json()) as { token: string };
    const before = restRequests;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const response = await post("/webchat/session", { token: started.token });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.filter((status) => status === 200).length).toBe(10);
    expect(statuses.filter((status) => status === 429).length).toBe(30);
    // Ten resumes share one read of the conversation's state.
    expect(restRequests - before).toBeLessThanOrEqual(1);
  });

  it("answers a stream-open flood 429 past the budget, history read once", async () => {
    // Budgets per identity (10) and per client (30, mostly spent above): 429 either way.
    const started = (await (await post("/webchat/session", {})).json()) as { token: string };
    const before = restRequests;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 25; attempt += 1) {
      const controller = new AbortController();
      const response = await fetch(
        `${url}/webchat/stream?ticket=${
          (
            (await (
              await fetch(`${url}/webchat/stream-ticket`, {
                method: "POST",
                headers: { authorization: `Bearer ${started.token}` },
              })
            ).json()) as { ticket: string }
          ).ticket
        }`,
        { signal: controller.signal },
      );
      statuses.push(response.status);
      controller.abort();
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(15);
    expect(restRequests - before).toBeLessThanOrEqual(2);
  });
});
