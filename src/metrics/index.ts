/** Prometheus metrics for `/metrics`, every name prefixed `switchboard_`. */
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
