import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { maskPhoneNumbersInText } from "../log/mask-phone-numbers.js";
import {
  type SpanAttributes,
  type SpanName,
  toOpenTelemetryAttributes,
} from "./span-attributes.js";

/** The tracer name switchboard's spans are created under. */
export const tracerName = "switchboard";

/** Options of {@link withSpan}. */
export interface WithSpanOptions {
  /**
   * The parent context. Default: the active context, which nests spans automatically when
   * the application registered an async context manager (every OpenTelemetry Node SDK
   * setup does). Pass one explicitly where work crosses a queue — e.g. a turn started from
   * a webhook's stored `traceparent` (see {@link contextFromTraceparent}).
   */
  parent?: Context;
  /** Default `INTERNAL`; the webhook span is a `SERVER` span, the send span a `CLIENT` one. */
  kind?: SpanKind;
}

const kinds: Record<SpanName, SpanKind> = {
  "switchboard.webhook": SpanKind.SERVER,
  "switchboard.turn": SpanKind.INTERNAL,
  "switchboard.agent": SpanKind.INTERNAL,
  "switchboard.send": SpanKind.CLIENT,
};

/**
 * Runs `work` inside a span named `name` and returns its result. The span becomes the
 * active one while `work` runs (so nested `withSpan` calls become children), ends when the
 * work settles, and records a thrown error (phone numbers masked) with status `ERROR`.
 *
 * With no OpenTelemetry SDK registered the API hands out non-recording spans: the cost is
 * a few object allocations and nothing is exported.
 */
export async function withSpan<T>(
  name: SpanName,
  attributes: SpanAttributes,
  work: (span: Span) => T | Promise<T>,
  options: WithSpanOptions = {},
): Promise<T> {
  const tracer = trace.getTracer(tracerName);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? kinds[name], attributes: toOpenTelemetryAttributes(attributes) },
    parent,
    async (span) => {
      try {
        const result = await work(span);
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Adds attributes to a running span (e.g. the outcome once known), with the same PII rules. */
export function setSpanAttributes(span: Span, attributes: SpanAttributes): void {
  span.setAttributes(toOpenTelemetryAttributes(attributes));
}

function recordError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const name = error instanceof Error ? error.name : "Error";
  const message = maskPhoneNumbersInText(error instanceof Error ? error.message : String(error));
  const exception: { name: string; message: string; stack?: string } = { name, message };
  if (error instanceof Error && error.stack !== undefined) {
    exception.stack = maskPhoneNumbersInText(error.stack);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" || typeof code === "number") {
    span.setAttribute("switchboard.error.code", code);
  }
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
