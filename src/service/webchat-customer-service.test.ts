import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { createLogger } from "../log/create-logger.js";
import { signVisitorIdentity } from "../webchat/signed-identity.js";
import { freePortForTest } from "./free-port.test-support.js";
import { type RunningService, startService } from "./start-service.js";

/**
 * The assembled service (dev mode, in-process) wires the widget's customer features: the
 * code goes through the outbox from the configured number, the link shows in the console's
 * customers, a signed identity from the environment's secret is accepted, and neither the
 * code nor the full number reaches the log (debug level included).
 */
let emulator: Emulator;
let service: RunningService;
let directory: string;
const logLines: string[] = [];
const identitySecret = "identity-secret-for-the-service-test-0000";

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "webchat-customers-"));
  const port = await freePortForTest();
  emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${port}/twilio/webhook` });
  service = await startService({
    mode: "dev",
    port,
    host: "127.0.0.1",
    stateDirectory: directory,
    environment: { SWITCHBOARD_WEBCHAT_IDENTITY_SECRET: identitySecret },
    database: { kind: "sqlite", path: join(directory, "mailbox.db") },
    agent: functionAgent(async (turn) => `You said: ${turn.text}`),
    twilio: {
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      serviceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
    },
    webhookPath: "/twilio/webhook",
    consoleInfo: { channels: ["sms", "chat"], numbers: {} },
    webchat: { smsNumber: emulator.numbers.sms },
    logger: createLogger({
      level: "debug",
      env: {},
      destination: { write: (line: string) => void logLines.push(line) },
    }),
  });
});
afterAll(async () => {
  await service?.close();
  await emulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the service's web chat customer features", () => {
  it("verifies a number through the outbox, links it, and shows one customer in the console", async () => {
    const session = await post("/webchat/session", {});
    const token = String(session.body.token);
    const started = await post("/webchat/verify", { phone: "+15557000301" }, token);
    expect(started.status).toBe(202);
    let code: string | undefined;
    for (let wait = 0; wait < 200 && code === undefined; wait += 1) {
      const texts = emulator.deviceMessages("+15557000301").map((message) => message.body ?? "");
      code = /code is (\d{6})/.exec(texts.join("\n"))?.[1];
      if (code === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(code).toMatch(/^\d{6}$/);
    // From our SMS number, as configured.
    expect(emulator.deviceMessages("+15557000301")[0]?.from).toBe(emulator.numbers.sms);
    // The conversation opened for the code is listed as that number's SMS conversation before
    // anyone writes back, not as an unknown web chat.
    const conversations = (await (
      await fetch(`http://127.0.0.1:${service.port}/api/conversations`)
    ).json()) as { conversations: { channel: string; customer: string }[] };
    expect(conversations.conversations).toContainEqual(
      expect.objectContaining({ channel: "sms", customer: "+15557000301" }),
    );
    const confirmed = await post(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      token,
    );
    expect(confirmed.status).toBe(200);
    const identified = await post(
      "/webchat/identify",
      { identity: signVisitorIdentity(identitySecret, "user-301") },
      token,
    );
    expect(identified.status).toBe(200);
    const list = (await (
      await fetch(`http://127.0.0.1:${service.port}/api/customers?search=user-301`)
    ).json()) as { customers: { channels: string[] }[] };
    expect(list.customers.map((customer) => customer.channels.sort())).toEqual([
      ["app", "chat", "sms"],
    ]);
    const log = logLines.join("");
    expect(log).not.toContain("+15557000301");
    expect(log).not.toContain(`code is ${code}`);
  });
});
