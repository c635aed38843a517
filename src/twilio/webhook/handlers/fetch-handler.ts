import { handleWebhookRequest, type WebhookHandlerOptions } from "./handle-webhook-request.js";
import { validateWebhookHandlerOptions } from "./validate-handler-options.js";

/**
 * A Fetch-API handler (`Request` → `Response`) for Hono, Bun, Deno, workers and the like.
 * Throws `ConfigError` naming the option when the options could not serve a webhook.
 */
export function createFetchWebhookHandler(
  options: WebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  validateWebhookHandlerOptions(options, "createFetchWebhookHandler");
  return async (request) => {
    const answer = await handleWebhookRequest(request, options);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
