import type { DeliveryStatus, MessageRecord } from "../store/records.js";

/** How many of a message's receipts reached a status: Twilio's `all`, `some` or `none`. */
export type DeliveryShare = "all" | "some" | "none";

/** The `delivery` field of a Message resource (null when it has no SMS/WhatsApp recipient). */
export interface DeliverySummary {
  total: number;
  sent: DeliveryShare;
  delivered: DeliveryShare;
  read: DeliveryShare;
  undelivered: DeliveryShare;
  failed: DeliveryShare;
}

/**
 * The statuses each receipt status counts towards. Statuses are cumulative: a message that
 * was read was also delivered and sent, and one the carrier reported undelivered was sent
 * (it left Twilio); a failed one never left. So a read WhatsApp message summarises as
 * `sent: all, delivered: all, read: all`, not `sent: none, delivered: none` (issue 14: the
 * summary counts cumulatively). The OpenAPI file only says the field is "an object that
 * contains the summary of delivery statuses for the message to non-chat participants".
 */
const countsTowards: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  sent: ["sent"],
  delivered: ["sent", "delivered"],
  read: ["sent", "delivered", "read"],
  undelivered: ["sent", "undelivered"],
  failed: ["failed"],
};

/** The message's cumulative delivery summary, or null without SMS/WhatsApp recipients. */
export function deliverySummary(message: MessageRecord): DeliverySummary | null {
  const total = message.receipts.size;
  if (total === 0) return null;
  const counts: Record<DeliveryStatus, number> = {
    sent: 0,
    delivered: 0,
    read: 0,
    undelivered: 0,
    failed: 0,
  };
  for (const receipt of message.receipts.values())
    for (const status of countsTowards[receipt.status]) counts[status] += 1;
  const share = (count: number): DeliveryShare =>
    count === 0 ? "none" : count === total ? "all" : "some";
  return {
    total,
    sent: share(counts.sent),
    delivered: share(counts.delivered),
    read: share(counts.read),
    undelivered: share(counts.undelivered),
    failed: share(counts.failed),
  };
}
