import { toDeliveryStatus } from "../mailbox/core/delivery-rules.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import { maskAddress } from "../twilio/channels/address.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { DeliveryData } from "../twilio/webhook/event-types.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** Twilio's error for a message to a number that replied STOP. */
export const optedOutErrorCode = 21610;

/** What recording a receipt needs. */
export interface DeliveryReceiptSettings {
  mailbox: MailboxStore;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  now: () => number;
}

/**
 * Stores one delivery receipt (from `onDeliveryUpdated` or the receipts REST resource) as the
 * message's status and reports it when it moved forward. A 21610 means Twilio holds an opt-out
 * for the customer: it is recorded in the consent ledger even if switchboard missed the
 * keyword, so nothing more is attempted. Resolves whether the status moved. Throws when the
 * mailbox fails (the webhook answers 500 and Twilio retries); a status switchboard does not
 * know is logged and skipped.
 */
export async function recordDeliveryReceipt(
  conversationSid: string,
  receipt: DeliveryData,
  settings: DeliveryReceiptSettings,
): Promise<boolean> {
  const status = toDeliveryStatus(receipt.status);
  if (status === undefined) {
    settings.logger.debug(
      { conversationSid, messageSid: receipt.messageSid, status: receipt.status },
      "delivery receipt with a status switchboard does not track; skipped",
    );
    return false;
  }
  const conversation = await settings.mailbox.conversation(conversationSid);
  // Receipts without a failure carry ErrorCode 0 (or none): no error.
  const errorCode =
    receipt.errorCode !== undefined && receipt.errorCode > 0 ? receipt.errorCode : null;
  const outcome = await settings.mailbox.recordDelivery({
    messageSid: receipt.messageSid,
    conversationSid,
    status,
    errorCode,
    channel: conversation?.channel ?? null,
    updatedAt: receipt.dateUpdated?.getTime() ?? settings.now(),
  });
  if (outcome.changed)
    settings.events.emit("delivery.updated", {
      conversationSid,
      messageSid: receipt.messageSid,
      status: outcome.record.status,
      errorCode: outcome.record.errorCode,
      channel: outcome.record.channel,
    });
  const address = conversation?.customerAddress;
  if (errorCode !== optedOutErrorCode || address == null) return outcome.changed;
  const consent = await settings.mailbox.consent(address);
  if (consent?.state === "opted-out") return outcome.changed;
  await settings.mailbox.setConsent({
    address,
    state: "opted-out",
    reason: "twilio-21610",
    detail: `message ${receipt.messageSid}`,
  });
  settings.logger.info(
    { conversationSid, address: maskAddress(address) },
    "Twilio refused a send with 21610: the customer opted out",
  );
  settings.events.emit("consent.changed", {
    address,
    conversationSid,
    state: "opted-out",
    reason: "twilio-21610",
  });
  return outcome.changed;
}
