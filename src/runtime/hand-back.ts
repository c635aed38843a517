import type { BusinessHours } from "../config/business-hours.js";
import { ConfigError } from "../errors.js";
import type { MailboxStore, WaitingConversation } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { releaseCustomer } from "./customer-handoff.js";
import type { SwitchboardEvents } from "./switchboard-events.js";
import type { SwitchboardOptions } from "./switchboard-options.js";

/** The hand-back timeout, resolved; undefined when off. */
export interface HandBackSettings {
  afterMs: number;
  message: string;
}

/** Checks `handBack` once, at construction; mistakes name the option. */
export function resolveHandBack(
  given: SwitchboardOptions["handBack"],
): HandBackSettings | undefined {
  if (given === undefined || given === false) return undefined;
  if (!Number.isSafeInteger(given.afterMs) || given.afterMs <= 0)
    throw new ConfigError(
      "handBack.afterMs",
      "handBack.afterMs must be a positive number of ms (how long nobody may pick a handoff up).",
    );
  const message =
    given.message ?? "Nobody from our team is free right now, so I'll keep helping you here.";
  if (typeof message !== "string" || message.trim() === "")
    throw new ConfigError("handBack.message", "handBack.message must be a non-empty string.");
  return { afterMs: given.afterMs, message };
}

/** The reply id of a hand-back message: one per handoff, whichever instance sends it. */
export function handBackReplyId(conversationSid: string, startedAt: number): string {
  return `${conversationSid}.handback-${Math.trunc(startedAt)}`;
}

/**
 * Hands conversations back to the bot that went to a person inside business hours and that
 * nobody picked up (no message from a person since the handoff) within `afterMs`: the
 * customer gets the message, the handoff note says `timeout`, and the next turn tells the
 * agent. Handoffs an operator made, and handoffs made outside business hours (the customer
 * was told when a person will reply), wait for a person. Safe on several instances: the
 * message's reply id is derived from the handoff, so it is sent once.
 */
export async function handBackUnanswered(settings: {
  mailbox: MailboxStore;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  now: () => number;
  businessHours: BusinessHours | undefined;
  handBack: HandBackSettings;
}): Promise<string[]> {
  const { mailbox, handBack, businessHours } = settings;
  const now = settings.now();
  if (businessHours !== undefined && !businessHours.isOpen(new Date(now))) return [];
  const handedBack: string[] = [];
  for (const waiting of await mailbox.waitingForPerson({ limit: 1_000 })) {
    // Already let go with its customer's other conversation earlier in this round.
    if (handedBack.includes(waiting.conversationSid)) continue;
    if (!(await isDue(mailbox, waiting, now, handBack.afterMs, businessHours))) continue;
    await mailbox.setHandoff(waiting.conversationSid, false);
    await mailbox.noteHandoffReleased(waiting.conversationSid, "timeout");
    await mailbox.enqueueReply(
      waiting.conversationSid,
      handBackReplyId(waiting.conversationSid, waiting.startedAt),
      { body: handBack.message },
    );
    settings.logger.info(
      { conversationSid: waiting.conversationSid, waitedMs: now - waiting.startedAt },
      "handoff not picked up; back to the bot",
    );
    settings.events.emit("handoff.released", { conversationSid: waiting.conversationSid });
    handedBack.push(waiting.conversationSid);
    // The customer's other conversations held with it go back too.
    for (const other of await releaseCustomer(mailbox, waiting.conversationSid, "timeout")) {
      settings.events.emit("handoff.released", { conversationSid: other });
      handedBack.push(other);
    }
  }
  return handedBack;
}

async function isDue(
  mailbox: MailboxStore,
  waiting: WaitingConversation,
  now: number,
  afterMs: number,
  businessHours: BusinessHours | undefined,
): Promise<boolean> {
  if (waiting.source === "operator") return false;
  if (now - waiting.startedAt < afterMs) return false;
  if (businessHours !== undefined && !businessHours.isOpen(new Date(waiting.startedAt)))
    return false;
  // Picked up: a person wrote in the conversation since the handoff — or, since a person
  // holds the whole customer, in any of the customer's conversations (they may answer the
  // SMS of a customer who asked for them on web chat).
  const customer = await mailbox.customerOfConversation(waiting.conversationSid);
  const entries =
    customer === null
      ? await mailbox.history(waiting.conversationSid, { limit: 100 })
      : [
          ...(await mailbox.history(waiting.conversationSid, { limit: 100 })),
          ...(await mailbox.customerHistory(customer.customerId, { limit: 200 })).map(
            (line) => line.entry,
          ),
        ];
  return !entries.some(
    (entry) =>
      entry.direction === "inbound" &&
      entry.role === "human" &&
      entry.ingestedAt >= waiting.startedAt,
  );
}
