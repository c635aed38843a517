/** Prometheus metrics for the service, and the wrappers that observe agent, provider and webhook. */
export { countEvents } from "./count-events.js";
export {
  createMetrics,
  type GaugeSource,
  type Metrics,
  type MetricsOptions,
  type RenderedMetrics,
  type SendOutcome,
  type TurnOutcome,
  type WebhookOutcome,
} from "./create-metrics.js";
export { observedAgent } from "./observed-agent.js";
export { observedProvider } from "./observed-provider.js";
export { observedWebhook } from "./observed-webhook.js";
