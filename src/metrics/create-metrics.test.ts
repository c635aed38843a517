import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./create-metrics.js";

/** The value of one sample line, e.g. `switchboard_turns_total{outcome="ok"}`. */
function sample(body: string, series: string): number | undefined {
  const line = body.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createMetrics", () => {
  it("renders every switchboard_ metric with help, type and zeroed outcomes", async () => {
    const metrics = createMetrics();
    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [name, type] of [
      ["switchboard_webhooks_total", "counter"],
      ["switchboard_turns_total", "counter"],
      ["switchboard_agent_latency_seconds", "histogram"],
      ["switchboard_sends_total", "counter"],
      ["switchboard_send_retries_total", "counter"],
      ["switchboard_dead_letters", "gauge"],
      ["switchboard_queue_depth", "gauge"],
      ["switchboard_ingest_latency_seconds", "histogram"],
    ]) {
      expect(body).toContain(`# TYPE ${name} ${type}\n`);
      expect(body).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
    for (const outcome of ["accepted", "duplicate", "forged", "malformed", "error"]) {
      expect(sample(body, `switchboard_webhooks_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const outcome of ["ok", "failed", "dead", "handoff", "interrupted"]) {
      expect(sample(body, `switchboard_turns_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const outcome of ["sent", "retry", "failed", "ambiguous"]) {
      expect(sample(body, `switchboard_sends_total{outcome="${outcome}"}`)).toBe(0);
    }
    // Nothing but switchboard_ metrics unless process metrics are asked for.
    const names = body
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/[{ ]/)[0]);
    expect(names.every((name) => name?.startsWith("switchboard_"))).toBe(true);
  });

  it("counts outcomes and send retries", async () => {
    const metrics = createMetrics();
    metrics.webhook("accepted");
    metrics.webhook("accepted");
    metrics.webhook("forged");
    metrics.turn("ok");
    metrics.turn("handoff");
    metrics.send("sent");
    metrics.send("retry");
    metrics.send("retry");
    metrics.send("ambiguous");
    const { body } = await metrics.render();
    expect(sample(body, 'switchboard_webhooks_total{outcome="accepted"}')).toBe(2);
    expect(sample(body, 'switchboard_webhooks_total{outcome="forged"}')).toBe(1);
    expect(sample(body, 'switchboard_webhooks_total{outcome="duplicate"}')).toBe(0);
    expect(sample(body, 'switchboard_turns_total{outcome="ok"}')).toBe(1);
    expect(sample(body, 'switchboard_turns_total{outcome="handoff"}')).toBe(1);
    expect(sample(body, 'switchboard_sends_total{outcome="retry"}')).toBe(2);
    expect(sample(body, 'switchboard_sends_total{outcome="ambiguous"}')).toBe(1);
    expect(sample(body, "switchboard_send_retries_total")).toBe(2);
  });

  it("records latencies into buckets", async () => {
    const metrics = createMetrics();
    metrics.agentLatency.observe({ outcome: "ok" }, 0.3);
    metrics.agentLatency.observe({ outcome: "ok" }, 4);
    metrics.ingestLatency.observe(0.002);
    const { body } = await metrics.render();
    expect(sample(body, 'switchboard_agent_latency_seconds_bucket{le="0.25",outcome="ok"}')).toBe(
      0,
    );
    expect(sample(body, 'switchboard_agent_latency_seconds_bucket{le="0.5",outcome="ok"}')).toBe(1);
    expect(sample(body, 'switchboard_agent_latency_seconds_bucket{le="+Inf",outcome="ok"}')).toBe(
      2,
    );
    expect(sample(body, 'switchboard_agent_latency_seconds_sum{outcome="ok"}')).toBeCloseTo(4.3);
    expect(sample(body, 'switchboard_agent_latency_seconds_count{outcome="ok"}')).toBe(2);
    expect(sample(body, 'switchboard_ingest_latency_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(sample(body, 'switchboard_ingest_latency_seconds_bucket{le="0.001"}')).toBe(0);
  });

  it("reads queue depth and dead letters at scrape time, async sources included", async () => {
    let depth = 3;
    const metrics = createMetrics({
      queueDepth: () => depth,
      deadLetters: async () => 7,
    });
    expect(sample((await metrics.render()).body, "switchboard_queue_depth")).toBe(3);
    depth = 11;
    const { body } = await metrics.render();
    expect(sample(body, "switchboard_queue_depth")).toBe(11);
    expect(sample(body, "switchboard_dead_letters")).toBe(7);
  });

  it("lets gauges without a source be set directly", async () => {
    const metrics = createMetrics();
    metrics.deadLetters.set(2);
    metrics.queueDepth.set(5);
    const { body } = await metrics.render();
    expect(sample(body, "switchboard_dead_letters")).toBe(2);
    expect(sample(body, "switchboard_queue_depth")).toBe(5);
  });

  it("fails the scrape when a source fails, rather than showing a stale number", async () => {
    const metrics = createMetrics({
      queueDepth: () => {
        throw new Error("database is locked");
      },
    });
    await expect(metrics.render()).rejects.toThrow("database is locked");
  });

  it("keeps instances apart: separate registries, no name clashes", async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.webhook("malformed");
    expect(
      sample((await first.render()).body, 'switchboard_webhooks_total{outcome="malformed"}'),
    ).toBe(1);
    expect(
      sample((await second.render()).body, 'switchboard_webhooks_total{outcome="malformed"}'),
    ).toBe(0);
  });

  it("registers in a given registry with default labels and optional process metrics", async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      registry,
      defaultLabels: { instance: "a" },
      processMetrics: true,
    });
    expect(metrics.registry).toBe(registry);
    metrics.turn("dead");
    const body = await registry.metrics();
    expect(sample(body, 'switchboard_turns_total{outcome="dead",instance="a"}')).toBe(1);
    expect(body).toContain("# TYPE switchboard_process_cpu_user_seconds_total counter");
    expect(body).toContain("switchboard_nodejs_eventloop_lag_seconds");
  });
});
