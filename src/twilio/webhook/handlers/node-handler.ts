import type { IncomingMessage, ServerResponse } from "node:http";
import {
  handleWebhookRequest,
  type WebhookHandlerOptions,
  type WebhookResponse,
} from "./handle-webhook-request.js";
import { validateWebhookHandlerOptions } from "./validate-handler-options.js";

/**
 * A `node:http` request listener for the webhook URL. Throws `ConfigError` naming the option
 * when the options could not serve a webhook (see `validateWebhookHandlerOptions`).
 */
export function createNodeWebhookHandler(
  options: WebhookHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  validateWebhookHandlerOptions(options, "createNodeWebhookHandler");
  return async (request, response) => {
    writeNodeResponse(response, await handleWebhookRequest(request, options));
  };
}

/** Writes a `WebhookResponse` to a Node response (shared by the Express middleware). */
export function writeNodeResponse(response: ServerResponse, answer: WebhookResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
