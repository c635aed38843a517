import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SwitchboardEventSource } from "../runtime/switchboard-events.js";
import { withSpan } from "../telemetry/with-span.js";
import type { Metrics } from "./create-metrics.js";

/**
 * The webhook listener inside a `switchboard.webhook` span, counted by outcome from its
 * status (200 accepted — or duplicate, when the runtime said so while answering this
 * request —, 403 forged, 400/413/415 malformed, 422 refused for good, else error) with its
 * ingest latency. The router calls it only for `POST <webhook path>`.
 */
export function observedWebhook(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
  metrics: Metrics,
  events: SwitchboardEventSource,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  // The runtime's `message.duplicate` is emitted inside the request's own async context:
  // that is how it reaches this request's count and not a concurrent one's.
  const request = new AsyncLocalStorage<{ duplicate: boolean }>();
  events.on("message.duplicate", () => {
    const current = request.getStore();
    if (current !== undefined) current.duplicate = true;
  });
  return async (incoming, response) => {
    const started = performance.now();
    const state = { duplicate: false };
    response.once("finish", () => {
      const status = response.statusCode;
      if (status === 200) {
        metrics.webhook(state.duplicate ? "duplicate" : "accepted");
        metrics.ingestLatency.observe((performance.now() - started) / 1000);
      } else if (status === 403) metrics.webhook("forged");
      else if (status === 400 || status === 413 || status === 415) metrics.webhook("malformed");
      else if (status === 422) metrics.webhook("refused");
      else metrics.webhook("error");
    });
    return request.run(state, () =>
      withSpan("switchboard.webhook", {}, async (span) => {
        await handler(incoming, response);
        span.setAttribute("http.response.status_code", response.statusCode);
      }),
    );
  };
}
