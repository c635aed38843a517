import { type Context, context, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";

const traceparentFormat = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of the active span (or of `from`), to store beside queued work —
 * e.g. with an ingested webhook — so the turn that later runs in another worker continues
 * the same trace. `undefined` when there is no valid span (no SDK registered).
 */
export function currentTraceparent(from: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(from);
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/**
 * A parent context from a stored `traceparent`, for `withSpan(…, { parent })`. A missing
 * or malformed value (it came from storage, maybe from an older version) gives the root
 * context: a new trace rather than an error.
 */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  const match =
    traceparent === null || traceparent === undefined
      ? null
      : traceparentFormat.exec(traceparent.trim().toLowerCase());
  if (match === null) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  const spanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!trace.isSpanContextValid(spanContext)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}
