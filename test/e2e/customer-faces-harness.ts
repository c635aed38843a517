import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntimeConsoleDeps } from "../../src/console/adapter/runtime-console-deps.js";
import { createConsoleApi } from "../../src/console/console-api.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { listenHttp, type RunningServer } from "../../src/http/listen-http.js";
import { switchboardWebhookHandler } from "../../src/http/serve-switchboard.js";
import { postgresMailbox } from "../../src/mailbox/postgres/index.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import { liveEventSource } from "../../src/runtime/live-event-source.js";
import { type RecordingAgent, recordingAgent } from "../../src/testing/recording-agent.js";
import { TwilioProvider } from "../../src/twilio/provider/twilio-provider.js";
import { applySetup } from "../../src/twilio/setup/apply-setup.js";
import { planSetup } from "../../src/twilio/setup/plan-setup.js";
import { createOutboxTextSender } from "../../src/webchat/adapter/outbox-text-sender.js";
import { createProviderWebchatDeps } from "../../src/webchat/adapter/provider-webchat-deps.js";
import {
  createPhoneVerification,
  type PhoneVerificationOptions,
} from "../../src/webchat/phone-verification.js";
import { createSignedIdentityVerifier } from "../../src/webchat/signed-identity.js";
import { createWebchatApi } from "../../src/webchat/webchat-api.js";

export const consoleToken = "console-token-for-customer-faces-000000";
const webchatSecret = "web-chat-secret-for-customer-faces-0000000000";
/** What the application signs visitor identities with (`signVisitorIdentity`). */
export const identitySecret = "application-identity-secret-0000000000000";

/**
 * The whole path over real HTTP for the customer faces: the emulator posts signed webhooks to
 * a switchboard served on one port with the web chat API (verify, continue) and the console
 * API (customers), replies and codes go out through the outbox and the provider.
 */
export interface CustomerFacesHarness {
  emulator: Emulator;
  switchboard: Switchboard;
  server: RunningServer;
  agent: RecordingAgent;
  /** Moves the verification clock forward (expiry, rate limits). */
  skewMs: number;
  /** Info-level audit lines of the console (JSON-serialised). */
  audit: string[];
  webchat(path: string, body: unknown, token?: string): Promise<Answer>;
  /**
   * The same, on a second web chat face with its own verification state (another instance,
   * or this one after a restart): it has never seen the challenges the first one issued.
   */
  webchatElsewhere(path: string, body: unknown, token?: string): Promise<Answer>;
  console(path: string, init?: { method?: string; body?: unknown }): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string } };
  headers: Headers;
}

export async function startCustomerFacesHarness(
  options: {
    verification?: Partial<PhoneVerificationOptions>;
    whatsappNumber?: string;
    /** A PostgreSQL mailbox in this schema instead of a SQLite file. */
    postgres?: { url: string; schema: string };
  } = {},
): Promise<CustomerFacesHarness> {
  const emulator = await startEmulator({ webhookBackoff: () => 50 });
  const folder = mkdtempSync(join(tmpdir(), "customer-faces-"));
  // WhatsApp codes go in an approved authentication template (free text would meet 63016).
  const codeTemplate = emulator.content.create(emulator.accountSid, {
    friendly_name: "verification_code",
    language: "en",
    variables: { "1": "000000" },
    types: { "twilio/text": { body: "Your verification code is {{1}}." } },
  });
  const providerOptions = {
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  };
  const provider = new TwilioProvider(providerOptions);
  const facesProvider = new TwilioProvider({ ...providerOptions, webhookEnabled: true });
  let count = 0;
  const agent = recordingAgent({ respond: () => `reply ${++count}` });
  const switchboard = createSwitchboard({
    provider,
    mailbox:
      options.postgres === undefined
        ? sqliteMailbox({ path: join(folder, "mailbox.db") })
        : postgresMailbox({
            connectionString: options.postgres.url,
            schema: options.postgres.schema,
            poolSize: 4,
          }),
    agent,
    humanIdentities: ["operator"],
    webhook: { authToken: emulator.authToken },
    workers: { pollMs: 50 },
    catchUp: { intervalMs: 0 },
  });
  const harness = { skewMs: 0, audit: [] as string[] } as CustomerFacesHarness;
  const now = () => Date.now() + harness.skewMs;
  const sendText = createOutboxTextSender({
    mailbox: switchboard.mailbox,
    customers: switchboard.customers,
    provider,
    businessNumbers: emulator.numbers,
  });
  const consoleApi = createConsoleApi(
    createRuntimeConsoleDeps({
      switchboard,
      info: { mode: "serve", channels: ["sms", "whatsapp", "chat"], numbers: {} },
      sendAsHuman: async (conversationSid, text) => {
        const sent = await facesProvider.sendMessage(conversationSid, {
          content: text,
          from: "operator",
        });
        return { messageSid: sent.id };
      },
    }),
    {
      token: consoleToken,
      customers: switchboard.customers,
      logger: {
        info: (fields: unknown, message?: string) =>
          harness.audit.push(JSON.stringify({ fields, message })),
        warn: () => {},
        error: () => {},
      },
    },
  );
  const makeWebchatApi = () =>
    createWebchatApi(
      createProviderWebchatDeps({
        provider: facesProvider,
        events: liveEventSource(switchboard.live),
      }),
      {
        secret: webchatSecret,
        now,
        customers: {
          verification: createPhoneVerification(
            {
              sendCode: (address, message, key) =>
                address.kind === "whatsapp"
                  ? sendText(
                      address,
                      {
                        template: {
                          contentSid: codeTemplate.sid,
                          variables: { "1": message.code },
                        },
                      },
                      key,
                    )
                  : sendText(address, message.text, key),
              linkVerified: async (identity, address) => {
                await switchboard.customers.link({ kind: "chat", value: identity }, address, {
                  source: "verified",
                });
              },
            },
            { secret: webchatSecret, channels: ["sms", "whatsapp"], now, ...options.verification },
          ),
          signedIdentity: {
            verifier: createSignedIdentityVerifier({ secret: identitySecret, now }),
            link: async (visitorIdentity, appId) => {
              await switchboard.customers.link(
                { kind: "app", value: appId },
                { kind: "chat", value: visitorIdentity },
                { source: "application" },
              );
            },
          },
          ...(options.whatsappNumber === undefined
            ? {}
            : { whatsappNumber: options.whatsappNumber }),
          continueBySms: {
            sendText,
            verifiedNumber: async (identity) => {
              const customer = await switchboard.customers.byAddress({
                kind: "chat",
                value: identity,
              });
              return (
                customer?.addresses.find(
                  (address) => address.kind === "sms" && address.source === "verified",
                )?.value ?? null
              );
            },
          },
          now,
        },
      },
    );
  const webchatApi = makeWebchatApi();
  const elsewhereApi = makeWebchatApi();
  const webhook = switchboardWebhookHandler(switchboard);
  const server = await listenHttp(async (request, response) => {
    if (request.url?.startsWith("/twilio/webhook")) return webhook(request, response);
    if (request.url?.startsWith("/shop")) {
      // A host page with the widget, as a business would embed it.
      const identity = new URL(request.url, "http://x").searchParams.get("identity");
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(
        `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Harbor Bikes</title></head><body style="font-family:sans-serif"><h1>Harbor Bikes</h1><p>E-bikes for a weekend.</p><script src="/webchat.js" data-open="true" data-title="Harbor Bikes"${identity === null ? "" : ` data-identity="${identity.replace(/[^A-Za-z0-9._-]/g, "")}"`}></script></body></html>`,
      );
      return;
    }
    if (await webchatApi(request, response)) return;
    if (!(await consoleApi(request, response))) {
      response.writeHead(404);
      response.end();
    }
  });
  const elsewhere = await listenHttp(async (request, response) => {
    if (!(await elsewhereApi(request, response))) {
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

  const call = async (path: string, init: RequestInit, base = server.url): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return {
      status: response.status,
      body: text === "" ? {} : JSON.parse(text),
      headers: response.headers,
    };
  };
  const post = (base: string, path: string, body: unknown, token?: string) =>
    call(
      path,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      base,
    );
  return Object.assign(harness, {
    emulator,
    switchboard,
    server,
    agent,
    webchat: (path: string, body: unknown, token?: string) => post(server.url, path, body, token),
    webchatElsewhere: (path: string, body: unknown, token?: string) =>
      post(elsewhere.url, path, body, token),
    console: (path: string, init: { method?: string; body?: unknown } = {}) =>
      call(path, {
        method: init.method ?? "GET",
        headers: {
          authorization: `Bearer ${consoleToken}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
    async close() {
      await server.close();
      await elsewhere.close();
      await switchboard.close();
      await provider.stop();
      await facesProvider.stop();
      await emulator.close();
      rmSync(folder, { recursive: true, force: true });
    },
  });
}
