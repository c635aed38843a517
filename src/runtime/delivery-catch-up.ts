import type { DeliveryStatus, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { recordDeliveryReceipt } from "./record-delivery-receipt.js";
import type { RuntimeProvider } from "./runtime-provider.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/**
 * Statuses worth no more listings: the message reached the phone or failed for good. (A
 * WhatsApp `read` after `delivered` still arrives by webhook; it is not worth a REST call.)
 */
const settled: ReadonlySet<DeliveryStatus> = new Set([
  "delivered",
  "read",
  "failed",
  "undelivered",
]);

/** What the receipt catch-up needs. */
export interface DeliveryCatchUpSettings {
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  now: () => number;
  /** Replies sent more recently than this are left to their webhooks. Default 60 s. */
  graceMs?: number;
  /** Replies older than this are no longer checked. Default 24 h. */
  horizonMs?: number;
  /** Receipt listings per run at most: the run's REST budget. Default 50. */
  maxLookups?: number;
  /** Sent replies remembered for checking at most (the oldest are dropped). Default 2000. */
  maxTracked?: number;
}

/** The result of one receipt catch-up run. */
export interface DeliveryCatchUpResult {
  /** Messages whose receipts were listed. */
  checked: number;
  /** Messages whose status moved because of it. */
  updated: number;
}

/**
 * Fetches the receipts of recently sent replies whose status did not settle through
 * `onDeliveryUpdated` (a webhook lost, or the service down when it came), bounded three
 * ways: only replies this process sent (remembered in memory, at most `maxTracked`), only
 * between `graceMs` and `horizonMs` old, and at most `maxLookups` REST listings per run.
 * A reply is checked once it is past its grace, and again on later runs until its status
 * settles or it ages out. Without `provider.listDeliveryReceipts` it does nothing.
 */
export function createDeliveryCatchUp(settings: DeliveryCatchUpSettings) {
  const graceMs = settings.graceMs ?? 60_000;
  const horizonMs = settings.horizonMs ?? 24 * 60 * 60_000;
  const maxLookups = settings.maxLookups ?? 50;
  const maxTracked = settings.maxTracked ?? 2_000;
  // messageSid → (conversation, when sent); insertion order is age order.
  const tracked = new Map<string, { conversationSid: string; sentAt: number }>();

  const track = (conversationSid: string, messageSid: string) => {
    tracked.set(messageSid, { conversationSid, sentAt: settings.now() });
    while (tracked.size > maxTracked) tracked.delete(tracked.keys().next().value as string);
  };

  const run = async (): Promise<DeliveryCatchUpResult> => {
    const list = settings.provider.listDeliveryReceipts?.bind(settings.provider);
    if (list === undefined) return { checked: 0, updated: 0 };
    const now = settings.now();
    const due: [string, { conversationSid: string; sentAt: number }][] = [];
    for (const [messageSid, entry] of tracked) {
      if (now - entry.sentAt > horizonMs) tracked.delete(messageSid);
      else if (now - entry.sentAt >= graceMs && due.length < maxLookups)
        due.push([messageSid, entry]);
    }
    let updated = 0;
    let checked = 0;
    const byConversation = new Map<string, Map<string, DeliveryStatus>>();
    const receiptChannels = new Map<string, boolean>();
    for (const [messageSid, { conversationSid }] of due) {
      let statuses = byConversation.get(conversationSid);
      if (statuses === undefined) {
        statuses = new Map(
          (await settings.mailbox.deliveries(conversationSid)).map((record) => [
            record.messageSid,
            record.status,
          ]),
        );
        byConversation.set(conversationSid, statuses);
      }
      if (!receiptChannels.has(conversationSid)) {
        const channel = (await settings.mailbox.conversation(conversationSid))?.channel;
        receiptChannels.set(conversationSid, channel === "sms" || channel === "whatsapp");
      }
      // Web chat messages have no receipts: never spend a listing on them.
      if (receiptChannels.get(conversationSid) !== true) {
        tracked.delete(messageSid);
        continue;
      }
      const known = statuses.get(messageSid);
      if (known !== undefined && settled.has(known)) {
        tracked.delete(messageSid);
        continue;
      }
      let moved = false;
      checked += 1;
      for (const receipt of await list(conversationSid, messageSid)) {
        if (receipt.messageSid !== messageSid) continue;
        const changed = await recordDeliveryReceipt(
          conversationSid,
          {
            messageSid,
            deliveryReceiptSid: "",
            channelMessageSid: undefined,
            participantSid: undefined,
            status: receipt.status,
            errorCode: receipt.errorCode ?? undefined,
            dateCreated: undefined,
            dateUpdated: receipt.dateUpdated ?? undefined,
          },
          settings,
        );
        moved ||= changed;
        const status = receipt.status.toLowerCase();
        if (settled.has(status as DeliveryStatus)) tracked.delete(messageSid);
      }
      if (moved) updated += 1;
    }
    return { checked, updated };
  };

  return { track, run };
}
