import type { DeliveryStatus } from "../mailbox-store.js";

/** Every delivery status, for validation. */
export const deliveryStatuses: readonly DeliveryStatus[] = Object.freeze([
  "queued",
  "sent",
  "delivered",
  "read",
  "failed",
  "undelivered",
]);

// How far along a message is. Terminal failures rank with `delivered`: Twilio never reports
// both for one message, and of two terminal receipts the first one stays. `read` outranks
// everything because a read message was received, whatever an earlier receipt said.
const rank: Readonly<Record<DeliveryStatus, number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  undelivered: 2,
  read: 3,
};

/**
 * Whether a receipt moves a message's status: true only when it goes strictly forward, so a
 * duplicate (same status) and a receipt that arrived out of order (a `sent` after
 * `delivered`) change nothing. `current` is null before the first receipt.
 */
export function deliveryAdvances(
  current: DeliveryStatus | null,
  incoming: DeliveryStatus,
): boolean {
  if (current === null) return true;
  return rank[incoming] > rank[current];
}

/** Twilio's receipt status as a `DeliveryStatus`, or undefined for one switchboard does not know. */
export function toDeliveryStatus(status: string): DeliveryStatus | undefined {
  const lower = status.trim().toLowerCase();
  return (deliveryStatuses as readonly string[]).includes(lower)
    ? (lower as DeliveryStatus)
    : undefined;
}
