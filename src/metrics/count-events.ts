import type { SwitchboardEventSource } from "../runtime/switchboard-events.js";
import type { Metrics } from "./create-metrics.js";
import { countDeliveryEvents } from "./delivery-metrics.js";

/** Runtime events → Prometheus counters (this instance's; the faces show every instance's). */
export function countEvents(events: SwitchboardEventSource, metrics: Metrics): void {
  events.on("turn.completed", () => metrics.turn("ok"));
  events.on("turn.failed", () => metrics.turn("failed"));
  events.on("dead-letter", () => metrics.turn("dead"));
  events.on("turn.interrupted", () => metrics.turn("interrupted"));
  events.on("handoff", (event) => {
    if (event.source !== "operator") metrics.turn("handoff");
  });
  events.on("reply.sent", (event) => {
    metrics.send("sent");
    if (event.sms !== undefined) metrics.smsSent(event.sms.encoding, event.sms.segments);
  });
  events.on("reply.failed", () => metrics.send("failed"));
  countDeliveryEvents(events, metrics.registry);
}
