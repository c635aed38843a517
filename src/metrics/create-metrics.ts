import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Outcome of one webhook request, as counted by `switchboard_webhooks_total`. */
/** `refused`: verified, but the message can never be stored (kept as an inbound dead letter). */
export type WebhookOutcome =
  | "accepted"
  | "duplicate"
  | "forged"
  | "malformed"
  | "refused"
  | "error";
/**
 * Outcome of one turn: answered, failed (will retry), dead-lettered, handed to a person, or
 * interrupted by a newer customer message (the `interrupt` policy; answered combined).
 */
export type TurnOutcome = "ok" | "failed" | "dead" | "handoff" | "interrupted";
/** Outcome of one send attempt. `ambiguous`: the request left but no answer came back. */
export type SendOutcome = "sent" | "retry" | "failed" | "ambiguous";

/** A number read when `/metrics` is scraped; may be async (a database count). */
export type GaugeSource = () => number | Promise<number>;

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * The prom-client registry to register in. Default: a new registry per call, so two
   * switchboards (or many tests) in one process never collide on metric names.
   */
  registry?: Registry;
  /** Read at scrape time for `switchboard_queue_depth` (turns waiting). */
  queueDepth?: GaugeSource;
  /** Read at scrape time for `switchboard_dead_letters`; otherwise set it directly. */
  deadLetters?: GaugeSource;
  /** Also export Node process metrics (`switchboard_process_…`, `switchboard_nodejs_…`). */
  processMetrics?: boolean;
  /** Labels added to every metric, e.g. `{ instance: "a" }`. */
  defaultLabels?: Record<string, string>;
}

/** The text exposition of a scrape and the `Content-Type` to answer it with. */
export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/** switchboard's Prometheus metrics; every name starts with `switchboard_`. */
export interface Metrics {
  readonly registry: Registry;
  /** `switchboard_webhooks_total{outcome}` — webhook requests by outcome. */
  readonly webhooks: Counter<"outcome">;
  /** `switchboard_turns_total{outcome}` — turns finished by outcome. */
  readonly turns: Counter<"outcome">;
  /** `switchboard_agent_latency_seconds` — time spent in `agent.respond`. */
  readonly agentLatency: Histogram<"outcome">;
  /** `switchboard_sends_total{outcome}` — outbound send attempts by outcome. */
  readonly sends: Counter<"outcome">;
  /** `switchboard_send_retries_total` — sends scheduled again after a retryable failure. */
  readonly sendRetries: Counter;
  /** `switchboard_dead_letters` — dead-lettered turns waiting for an operator. */
  readonly deadLetters: Gauge;
  /** `switchboard_queue_depth` — turns waiting to run. */
  readonly queueDepth: Gauge;
  /** `switchboard_ingest_latency_seconds` — webhook arrival to durable ingest (the 200). */
  readonly ingestLatency: Histogram;
  /**
   * `switchboard_sms_segments_total{encoding}` — SMS segments sent (what carriers bill), by
   * encoding (`GSM-7`, `UCS-2`); `switchboard_sms_messages_total{encoding}` counts messages.
   */
  readonly smsSegments: Counter<"encoding">;
  readonly smsMessages: Counter<"encoding">;
  /** Counts one SMS sent and its segments. */
  smsSent(encoding: "GSM-7" | "UCS-2", segments: number): void;
  /** Counts one webhook. */
  webhook(outcome: WebhookOutcome): void;
  /** Counts one finished turn. */
  turn(outcome: TurnOutcome): void;
  /** Counts one send attempt; a `retry` also counts in `send_retries_total`. */
  send(outcome: SendOutcome): void;
  /** Renders the exposition text for `/metrics`. */
  render(): Promise<RenderedMetrics>;
}

/** Seconds; from a fast FAQ answer to a slow model call. */
const agentBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
/** Seconds; ingest is one durable transaction and should stay in milliseconds. */
const ingestBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

const webhookOutcomes: readonly WebhookOutcome[] = [
  "accepted",
  "duplicate",
  "forged",
  "refused",
  "malformed",
  "error",
];
const turnOutcomes: readonly TurnOutcome[] = ["ok", "failed", "dead", "handoff", "interrupted"];
const sendOutcomes: readonly SendOutcome[] = ["sent", "retry", "failed", "ambiguous"];

/**
 * Creates the metrics in their own registry. Every outcome label is pre-set to zero so a
 * dashboard sees `forged 0` rather than no series at all until the first forged request.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];

  const webhooks = new Counter({
    name: "switchboard_webhooks_total",
    help: "Conversations webhook requests, by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const turns = new Counter({
    name: "switchboard_turns_total",
    help: "Turns finished, by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const agentLatency = new Histogram({
    name: "switchboard_agent_latency_seconds",
    help: "Time the agent took to answer one turn, by outcome (ok or error).",
    labelNames: ["outcome"] as const,
    buckets: agentBuckets,
    registers,
  });
  const sends = new Counter({
    name: "switchboard_sends_total",
    help: "Outbound send attempts to Twilio, by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const sendRetries = new Counter({
    name: "switchboard_send_retries_total",
    help: "Sends scheduled again after a retryable failure.",
    registers,
  });
  const deadLetters = gaugeWithSource(
    "switchboard_dead_letters",
    "Dead-lettered turns waiting for an operator (retry or skip).",
    options.deadLetters,
    registers,
  );
  const queueDepth = gaugeWithSource(
    "switchboard_queue_depth",
    "Turns waiting to run.",
    options.queueDepth,
    registers,
  );
  const ingestLatency = new Histogram({
    name: "switchboard_ingest_latency_seconds",
    help: "Time from a webhook's arrival to its durable ingest.",
    buckets: ingestBuckets,
    registers,
  });

  const smsSegments = new Counter({
    name: "switchboard_sms_segments_total",
    help: "SMS segments sent (what carriers bill), by encoding.",
    labelNames: ["encoding"] as const,
    registers,
  });
  const smsMessages = new Counter({
    name: "switchboard_sms_messages_total",
    help: "SMS messages sent, by encoding.",
    labelNames: ["encoding"] as const,
    registers,
  });
  for (const encoding of ["GSM-7", "UCS-2"]) {
    smsSegments.inc({ encoding }, 0);
    smsMessages.inc({ encoding }, 0);
  }

  for (const outcome of webhookOutcomes) webhooks.inc({ outcome }, 0);
  for (const outcome of turnOutcomes) turns.inc({ outcome }, 0);
  for (const outcome of sendOutcomes) sends.inc({ outcome }, 0);
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "switchboard_" });

  return {
    registry,
    webhooks,
    turns,
    agentLatency,
    sends,
    sendRetries,
    deadLetters,
    queueDepth,
    ingestLatency,
    smsSegments,
    smsMessages,
    smsSent: (encoding, segments) => {
      smsMessages.inc({ encoding });
      smsSegments.inc({ encoding }, segments);
    },
    webhook: (outcome) => webhooks.inc({ outcome }),
    turn: (outcome) => turns.inc({ outcome }),
    send: (outcome) => {
      sends.inc({ outcome });
      if (outcome === "retry") sendRetries.inc();
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

function gaugeWithSource(
  name: string,
  help: string,
  source: GaugeSource | undefined,
  registers: Registry[],
): Gauge {
  if (source === undefined) return new Gauge({ name, help, registers });
  return new Gauge({
    name,
    help,
    registers,
    // Read at scrape time: a count that is always current, with no timer to stop.
    async collect() {
      this.set(await source());
    },
  });
}
