import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestAsyncContextManager } from "./async-local-storage-context-manager.test-support.js";
import { contextFromTraceparent, currentTraceparent } from "./traceparent.js";
import { setSpanAttributes, withSpan } from "./with-span.js";

const conversationSid = "CH0123456789abcdef0123456789abcdef";

describe("withSpan without an SDK", () => {
  it("runs the work and returns its result, creating nothing to export", async () => {
    trace.disable();
    const result = await withSpan("switchboard.turn", { conversationSid }, (span) => {
      expect(span.isRecording()).toBe(false);
      return 42;
    });
    expect(result).toBe(42);
    expect(currentTraceparent()).toBeUndefined();
    await expect(
      withSpan("switchboard.agent", {}, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });
});

describe("withSpan with a registered SDK", () => {
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new TestAsyncContextManager());
  });

  afterEach(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  const byName = (spans: ReadableSpan[], name: string) => {
    const span = spans.find((candidate) => candidate.name === name);
    if (span === undefined) throw new Error(`no span ${name}`);
    return span;
  };

  it("nests webhook → turn → agent → send through async work", async () => {
    await withSpan("switchboard.webhook", { eventType: "onMessageAdded" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await withSpan("switchboard.turn", { conversationSid, channel: "sms" }, async () => {
        await withSpan("switchboard.agent", { conversationSid }, async () => {
          await Promise.resolve();
        });
        await withSpan("switchboard.send", { conversationSid, attempt: 1 }, async () => {
          await new Promise((resolve) => setImmediate(resolve));
        });
      });
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual([
      "switchboard.agent",
      "switchboard.send",
      "switchboard.turn",
      "switchboard.webhook",
    ]);
    const webhook = byName(spans, "switchboard.webhook");
    const turn = byName(spans, "switchboard.turn");
    const agent = byName(spans, "switchboard.agent");
    const send = byName(spans, "switchboard.send");
    expect(webhook.parentSpanContext).toBeUndefined();
    expect(turn.parentSpanContext?.spanId).toBe(webhook.spanContext().spanId);
    expect(agent.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(send.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    expect(webhook.kind).toBe(SpanKind.SERVER);
    expect(send.kind).toBe(SpanKind.CLIENT);
    expect(turn.attributes).toEqual({
      "switchboard.conversation.sid": conversationSid,
      "switchboard.channel": "sms",
    });
    expect(send.attributes["switchboard.attempt"]).toBe(1);
    expect(turn.status.code).toBe(SpanStatusCode.OK);
  });

  it("keeps concurrent conversations' spans apart", async () => {
    const turn = (sid: string) =>
      withSpan("switchboard.turn", { conversationSid: sid }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await withSpan("switchboard.agent", { conversationSid: sid }, async () => {});
      });
    await Promise.all([turn("CH1"), turn("CH2")]);
    const spans = exporter.getFinishedSpans();
    for (const sid of ["CH1", "CH2"]) {
      const parent = spans.find(
        (span) =>
          span.name === "switchboard.turn" &&
          span.attributes["switchboard.conversation.sid"] === sid,
      );
      const child = spans.find(
        (span) =>
          span.name === "switchboard.agent" &&
          span.attributes["switchboard.conversation.sid"] === sid,
      );
      expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    }
  });

  it("records a thrown error with status ERROR, masking phone numbers, and rethrows", async () => {
    const failure = Object.assign(new Error("21211 invalid To +15551230001"), {
      code: "send_failed",
    });
    await expect(
      withSpan("switchboard.send", { conversationSid }, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: "21211 invalid To +1555***0001",
    });
    expect(span?.attributes["switchboard.error.code"]).toBe("send_failed");
    const exception = span?.events.find((event) => event.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toBe("21211 invalid To +1555***0001");
    expect(JSON.stringify(span?.events)).not.toContain("5551230001");
  });

  it("never exports phone numbers or unknown attributes", async () => {
    await withSpan(
      "switchboard.turn",
      {
        conversationSid: "+15551230001",
        outcome: "ok",
        ...({ from: "+15551230002", body: "hello" } as object),
      },
      (span) => setSpanAttributes(span, { messageCount: 2, eventType: "whatsapp:+15551230003" }),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toEqual({
      "switchboard.outcome": "ok",
      "switchboard.message_count": 2,
    });
  });

  it("continues a trace across a queue through a stored traceparent", async () => {
    let stored: string | undefined;
    await withSpan("switchboard.webhook", {}, () => {
      stored = currentTraceparent();
    });
    expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // Later, in a worker with no active span:
    await withSpan("switchboard.turn", { conversationSid }, () => {}, {
      parent: contextFromTraceparent(stored),
    });
    const webhook = byName(exporter.getFinishedSpans(), "switchboard.webhook");
    const turn = byName(exporter.getFinishedSpans(), "switchboard.turn");
    expect(turn.spanContext().traceId).toBe(webhook.spanContext().traceId);
    expect(turn.parentSpanContext?.spanId).toBe(webhook.spanContext().spanId);
  });

  it("starts a new trace from a missing or malformed traceparent", async () => {
    for (const bad of [
      undefined,
      null,
      "",
      "garbage",
      "01-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
      "00-00000000000000000000000000000000-0123456789abcdef-01",
      `00-${"a".repeat(32)}-${"b".repeat(16)}-01-extra`,
      `00-${"a".repeat(32)}-${"b".repeat(16)}-01${"x".repeat(10_000)}`,
    ]) {
      expect(contextFromTraceparent(bad)).toBe(ROOT_CONTEXT);
    }
  });
});
