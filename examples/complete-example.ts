/**
 * The product brief's "complete example", in TypeScript: create a conversation, serve a
 * webhook route with node:http, verify + parse each event, hand it to the provider, and
 * reply to every customer message.
 *
 * Run it against Twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
 * TWILIO_CONVERSATIONS_SERVICE_SID and TWILIO_WEBHOOK_URL (the public URL Twilio calls)
 * set, then point the service's post-event webhook (onMessageAdded) at that URL.
 * `src/twilio/provider/complete-example.test.ts` runs `main()` against the emulator.
 *
 * In an application, import from the package instead:
 *   import { TwilioProvider, parseWebhookEvent, configFromEnv } from "switchboard";
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import type twilio from "twilio";
import {
  configFromEnv,
  parseWebhookEvent,
  type TwilioConversation,
  TwilioError,
  TwilioProvider,
} from "../src/index.js";

export interface CompleteExampleOptions {
  /** Where the Twilio settings come from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The official SDK's request client; the emulator's in tests and dev mode. */
  httpClient?: twilio.RequestClient;
  /** Port for the webhook server; default 8080 (0 picks a free one). */
  port?: number;
  /** The agent: turns a customer's text into the reply. */
  answer?: (text: string) => string | Promise<string>;
  /** Where progress and problems are written; default `console`. */
  log?: Pick<Console, "log" | "warn" | "error">;
}

export interface RunningExample {
  provider: TwilioProvider;
  conversation: TwilioConversation;
  /** The webhook route as this server sees it, e.g. `http://127.0.0.1:8080/webhook`. */
  webhookUrl: string;
  close(): Promise<void>;
}

/** The author name of the agent's replies. */
const agentAuthor = "agent";

export async function main(options: CompleteExampleOptions = {}): Promise<RunningExample> {
  const log = options.log ?? console;
  const config = configFromEnv(options.env ?? process.env);
  const provider = new TwilioProvider({ ...config, httpClient: options.httpClient });
  await provider.start(); // checks the credentials and the service

  const conversation = await provider.createConversation({ friendlyName: "Support Chat" });

  // Reply to every new customer message. The provider's own sends fire no webhooks (no
  // X-Twilio-Webhook-Enabled), and the author check guards against a loop regardless.
  const answer = options.answer ?? ((text: string) => `You said: ${text}`);
  provider.on("message.new", async (event) => {
    const message = event.data;
    if (event.conversationId === undefined || message.author === agentAuthor) return;
    const reply = await answer(message.body ?? "");
    await provider.sendMessage(event.conversationId, {
      content: reply,
      from: agentAuthor,
      to: message.author,
    });
  });

  const server: Server = createServer((request, response) => {
    if (request.method !== "POST" || request.url?.split("?")[0] !== "/webhook") {
      response.writeHead(404).end();
      return;
    }
    void (async () => {
      let event: Awaited<ReturnType<typeof parseWebhookEvent>>;
      try {
        event = await parseWebhookEvent(request, {
          authToken: config.authToken,
          ...(config.webhookUrl === undefined ? {} : { url: config.webhookUrl }),
        });
      } catch (error) {
        // 403 for a bad signature, 400 for a malformed body; the reason goes to the log only.
        log.warn("invalid webhook:", error instanceof Error ? error.message : error);
        response.writeHead(error instanceof TwilioError ? (error.status ?? 400) : 400).end();
        return;
      }
      try {
        await provider.handleWebhook(event);
        response.writeHead(200).end();
      } catch (error) {
        // A failed reply answers 500 so Twilio retries; repeats of a message are dropped by SID.
        log.error("webhook handling error:", error);
        response.writeHead(500).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 8080, resolve));
  const { port } = server.address() as AddressInfo;
  const webhookUrl = `http://127.0.0.1:${port}/webhook`;

  log.log(`Conversation created: ${conversation.id}`);
  log.log(`Webhook server listening on ${webhookUrl}`);

  return {
    provider,
    conversation,
    webhookUrl,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provider.stop();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await main();
  process.once("SIGINT", () => void running.close());
}
