/** OpenTelemetry spans webhook → turn → agent → send; a no-op unless an SDK is registered. */
export {
  attributeKeys,
  type SpanAttributes,
  type SpanName,
  toOpenTelemetryAttributes,
} from "./span-attributes.js";
export { contextFromTraceparent, currentTraceparent } from "./traceparent.js";
export { setSpanAttributes, tracerName, type WithSpanOptions, withSpan } from "./with-span.js";
