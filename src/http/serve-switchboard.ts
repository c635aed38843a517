import type { TwilioLogger } from "../twilio/logger.js";
import type { WebhookEvent } from "../twilio/webhook/event-types.js";
import { createNodeWebhookHandler } from "../twilio/webhook/handlers/node-handler.js";
import { listenHttp, type NodeHandler, type RunningServer } from "./listen-http.js";
import { createRouter, type HealthReport } from "./router.js";

/**
 * The part of a switchboard (`createSwitchboard`) HTTP needs — structural, so this layer
 * imports nothing from the runtime.
 */
export interface ServableSwitchboard {
  readonly webhook: {
    path: string;
    verify: boolean;
    authToken: string | undefined;
    url: string | undefined;
    trustProxy: boolean;
    logger: TwilioLogger;
  };
  receive(event: WebhookEvent): Promise<void>;
  health(): HealthReport;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The webhook as a Node request listener: the library's own `createNodeWebhookHandler`
 * (verify → parse → `receive`, 200 once durable) with the switchboard's verification.
 */
export function switchboardWebhookHandler(switchboard: ServableSwitchboard): NodeHandler {
  const { path: _path, ...verification } = switchboard.webhook;
  return createNodeWebhookHandler({ ...verification, onEvent: switchboard.receive });
}

/**
 * `POST <webhook path>` and `GET /healthz` as one Node request listener, to mount in your
 * own server; call `switchboard.start()` for the workers.
 */
export function createSwitchboardHandler(switchboard: ServableSwitchboard): NodeHandler {
  return createRouter({
    webhook: { path: switchboard.webhook.path, handler: switchboardWebhookHandler(switchboard) },
    health: () => switchboard.health(),
  });
}

/** A switchboard served over HTTP by {@link serveSwitchboard}. */
export interface ServedSwitchboard {
  url: string;
  port: number;
  server: RunningServer["server"];
  /** Stops taking webhooks (Twilio retries them later or elsewhere), then closes the switchboard. */
  close(): Promise<void>;
}

/**
 * Serves the webhook and `/healthz` on `host:port` (default 127.0.0.1, port 0: a free one),
 * then starts the switchboard. Serving comes first so webhooks are accepted (durably) while
 * the first catch-up runs; a failed start closes the server and rejects with its error.
 */
export async function serveSwitchboard(
  switchboard: ServableSwitchboard,
  options: { port?: number; host?: string } = {},
): Promise<ServedSwitchboard> {
  const running = await listenHttp(createSwitchboardHandler(switchboard), options);
  try {
    await switchboard.start();
  } catch (error) {
    await running.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: running.url,
    port: running.port,
    server: running.server,
    close() {
      closing ??= (async () => {
        await running.close();
        await switchboard.close();
      })();
      return closing;
    },
  };
}
