import type { IncomingMessage, ServerResponse } from "node:http";
import { withSpan } from "../telemetry/with-span.js";
import type { Metrics } from "./create-metrics.js";

/**
 * The webhook listener inside a `switchboard.webhook` span, counted by outcome from its
 * status (200 accepted, 403 forged, 400/413/415 malformed, 422 refused for good, else
 * error) with its ingest
 * latency. The router calls it only for `POST <webhook path>`.
 */
export function observedWebhook(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
  metrics: Metrics,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const started = performance.now();
    response.once("finish", () => {
      const status = response.statusCode;
      if (status === 200) {
        metrics.webhook("accepted");
        metrics.ingestLatency.observe((performance.now() - started) / 1000);
      } else if (status === 403) metrics.webhook("forged");
      else if (status === 400 || status === 413 || status === 415) metrics.webhook("malformed");
      else if (status === 422) metrics.webhook("refused");
      else metrics.webhook("error");
    });
    return withSpan("switchboard.webhook", {}, async (span) => {
      await handler(request, response);
      span.setAttribute("http.response.status_code", response.statusCode);
    });
  };
}
