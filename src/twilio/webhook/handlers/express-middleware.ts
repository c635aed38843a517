import type { IncomingMessage, ServerResponse } from "node:http";
import { handleWebhookRequest, type WebhookHandlerOptions } from "./handle-webhook-request.js";
import { writeNodeResponse } from "./node-handler.js";
import { validateWebhookHandlerOptions } from "./validate-handler-options.js";

/**
 * Express middleware answering the webhook itself. Works with or without a body parser
 * before it: it prefers a kept raw body (`req.rawBody` or a string/Buffer `req.body`),
 * then parsed form fields, else reads the body itself. Typed with Node's request and
 * response, which Express's extend, so Express is not a dependency. Throws `ConfigError`
 * naming the option when the options could not serve a webhook.
 */
export function createExpressWebhookMiddleware(
  options: WebhookHandlerOptions,
): (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void {
  validateWebhookHandlerOptions(options, "createExpressWebhookMiddleware");
  return (request, response, next) => {
    handleWebhookRequest(request, options).then(
      (answer) => writeNodeResponse(response, answer),
      (error: unknown) => next(error),
    );
  };
}
