import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { functionAgent } from "../../src/agents/function-agent.js";
import { createRuntimeConsoleDeps } from "../../src/console/adapter/runtime-console-deps.js";
import { createConsoleApi } from "../../src/console/console-api.js";
import type { ConsoleTranscript } from "../../src/console/console-deps.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { listenHttp, type RunningServer } from "../../src/http/listen-http.js";
import { switchboardWebhookHandler } from "../../src/http/serve-switchboard.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { countEvents } from "../../src/metrics/count-events.js";
import { createMetrics } from "../../src/metrics/create-metrics.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import { TwilioProvider } from "../../src/twilio/provider/twilio-provider.js";
import { applySetup } from "../../src/twilio/setup/apply-setup.js";
import { planSetup } from "../../src/twilio/setup/plan-setup.js";

/**
 * The whole path over real HTTP: the emulator posts signed webhooks to a switchboard served
 * on a port (subscribed by `planSetup`/`applySetup`, as `switchboard setup` does), replies go
 * out through the provider, and the console API and `/metrics` are read over HTTP. The
 * console's clock can be moved (`skewMs`) so the WhatsApp window closes without waiting a day.
 */
export interface DeliveryHarness {
  emulator: Emulator;
  switchboard: Switchboard;
  server: RunningServer;
  /** Every customer text the agent was asked to answer, in order. */
  asked: string[];
  templateSid: string;
  /** Moves the console's clock forward (the WhatsApp window). */
  skewMs: number;
  /** Moves the switchboard's own clock forward by `ms` from real time (0: back to it). */
  clockSkewForRuntime(ms: number): void;
  transcript(conversationSid: string): Promise<ConsoleTranscript>;
  api(path: string, init?: RequestInit): Promise<Response>;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startDeliveryHarness(): Promise<DeliveryHarness> {
  const emulator = await startEmulator({ webhookBackoff: () => 50 });
  const folder = mkdtempSync(join(tmpdir(), "delivery-consent-"));
  const template = emulator.content.create(emulator.accountSid, {
    friendly_name: "window_closed",
    language: "en",
    variables: { "1": "there" },
    types: { "twilio/text": { body: "Hi {{1}}, we have an answer for you. Reply to continue." } },
  });
  const providerOptions = {
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  };
  const provider = new TwilioProvider(providerOptions);
  const facesProvider = new TwilioProvider({ ...providerOptions, webhookEnabled: true });
  const asked: string[] = [];
  let runtimeSkew = 0;
  const switchboard = createSwitchboard({
    provider,
    mailbox: sqliteMailbox({ path: join(folder, "mailbox.db") }),
    agent: functionAgent(async (turn) => {
      asked.push(turn.text);
      return `re: ${turn.text}`;
    }),
    humanIdentities: ["operator"],
    webhook: { authToken: emulator.authToken },
    workers: { pollMs: 50 },
    clock: () => Date.now() + runtimeSkew,
    catchUp: { intervalMs: 0 },
    channels: { whatsapp: { template: { contentSid: template.sid } } },
    consent: { whatsappOptOut: ["STOP", "PARAR"] },
  });
  const metrics = createMetrics();
  countEvents(switchboard.events, metrics);
  const harness = { skewMs: 0 } as DeliveryHarness;
  const consoleApi = createConsoleApi(
    createRuntimeConsoleDeps({
      switchboard,
      info: { mode: "serve", channels: ["sms", "whatsapp"], numbers: {} },
      sendAsHuman: async (conversationSid, text) => {
        const sent = await facesProvider.sendMessage(conversationSid, {
          content: text,
          from: "operator",
        });
        return { messageSid: sent.id };
      },
      whatsappTemplate: { contentSid: template.sid },
      now: () => Date.now() + harness.skewMs,
    }),
  );
  const webhook = switchboardWebhookHandler(switchboard);
  const server = await listenHttp(async (request, response) => {
    if (request.url?.startsWith("/twilio/webhook")) return webhook(request, response);
    if (request.url === "/metrics") {
      const rendered = await metrics.render();
      response.writeHead(200, { "content-type": rendered.contentType });
      response.end(rendered.body);
      return;
    }
    if (!(await consoleApi(request, response))) {
      response.writeHead(404);
      response.end();
    }
  });
  await switchboard.start();
  const plan = await planSetup({
    client: emulator.twilioClient(),
    serviceSid: emulator.serviceSid,
    webhookUrl: `${server.url}/twilio/webhook`,
  });
  await applySetup(plan);

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(init.headers ?? {}) },
    });
  return Object.assign(harness, {
    emulator,
    switchboard,
    server,
    asked,
    templateSid: template.sid,
    api,
    clockSkewForRuntime(ms: number) {
      runtimeSkew = ms;
    },
    async transcript(conversationSid: string) {
      const response = await api(`/api/conversations/${conversationSid}`);
      if (response.status !== 200) throw new Error(`transcript: ${response.status}`);
      return (await response.json()) as ConsoleTranscript;
    },
    async metrics() {
      return (await fetch(`${server.url}/metrics`)).text();
    },
    async close() {
      await server.close();
      await switchboard.close();
      await provider.stop();
      await facesProvider.stop();
      await emulator.close();
      rmSync(folder, { recursive: true, force: true });
    },
  });
}
