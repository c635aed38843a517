import type { IncomingMessage, ServerResponse } from "node:http";
import type { TwilioLogger } from "../twilio/logger.js";
import type { WebhookEvent } from "../twilio/webhook/event-types.js";
import { handleWebhookRequest } from "../twilio/webhook/handlers/handle-webhook-request.js";

/** Options of {@link createWebhookRoute}. */
export interface WebhookRouteOptions {
  /** Verifies signatures; default `TWILIO_AUTH_TOKEN`. */
  authToken?: string | undefined;
  /** The public URL Twilio signs; default `TWILIO_WEBHOOK_URL`, else the request's URL. */
  url?: string | undefined;
  verify?: boolean | undefined;
  trustProxy?: boolean | undefined;
  logger: TwilioLogger;
  /** Resolves once the event is durably recorded; a rejection answers 500 (Twilio retries). */
  onEvent: (event: WebhookEvent) => Promise<void>;
}

/**
 * The Conversations webhook as a Node request listener: verify over the raw body and the
 * public URL → parse → `onEvent` (durable ingest) → 200. A missing or wrong signature
 * answers 403 with an empty body and changes nothing; the reason goes to the log.
 */
export function createWebhookRoute(
  options: WebhookRouteOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const answer = await handleWebhookRequest(request, {
      authToken: options.authToken,
      url: options.url,
      verify: options.verify,
      trustProxy: options.trustProxy,
      logger: options.logger,
      onEvent: options.onEvent,
    });
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
}
