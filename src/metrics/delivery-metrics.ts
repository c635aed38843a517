import { Counter, type Registry } from "prom-client";
import type { SwitchboardEventSource } from "../runtime/switchboard-events.js";

const channels = ["sms", "whatsapp", "chat", "unknown"] as const;
const statuses = ["sent", "delivered", "read", "failed", "undelivered"] as const;

/**
 * `switchboard_deliveries_total{channel,status}` — delivery receipts that moved one of our
 * messages forward (duplicates and out-of-order receipts are not counted), so `failed` and
 * `undelivered` count messages, not receipts; and `switchboard_consent_changes_total{state,
 * reason}` — opt-outs and opt-ins by keyword, Twilio's 21610 or an operator. Registered on
 * the service's registry and counted from the runtime's events. Also
 * `switchboard_inbound_dead_letters_total{via}` — signed messages the mailbox refused for
 * good (see `MailboxStore.recordInboundDeadLetter`).
 */
export function countDeliveryEvents(events: SwitchboardEventSource, registry: Registry): void {
  const deliveries = new Counter({
    name: "switchboard_deliveries_total",
    help: "Outbound messages whose delivery status moved, by channel and new status.",
    labelNames: ["channel", "status"] as const,
    registers: [registry],
  });
  const consent = new Counter({
    name: "switchboard_consent_changes_total",
    help: "Customer addresses opted out or in, by new state and reason.",
    labelNames: ["state", "reason"] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: "switchboard_inbound_dead_letters_total",
    help: "Signed inbound messages that can never be stored, kept as inbound dead letters, by how they arrived.",
    labelNames: ["via"] as const,
    registers: [registry],
  });
  refused.inc({ via: "webhook" }, 0);
  refused.inc({ via: "catch-up" }, 0);
  events.on("message.refused", (event) => refused.inc({ via: event.via }));
  // Pre-set so a dashboard sees `failed 0` rather than no series until the first failure.
  for (const channel of channels)
    for (const status of statuses) deliveries.inc({ channel, status }, 0);
  events.on("delivery.updated", (event) =>
    deliveries.inc({ channel: event.channel ?? "unknown", status: event.status }),
  );
  events.on("consent.changed", (event) =>
    consent.inc({ state: event.state, reason: event.reason }),
  );
}
