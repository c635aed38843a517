import { handleWebhookRequest, type WebhookHandlerOptions } from "./handle-webhook-request.js";

/** A Fetch-API handler (`Request` → `Response`) for Hono, Bun, Deno, workers and the like. */
export function createFetchWebhookHandler(
  options: WebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const answer = await handleWebhookRequest(request, options);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
