import type { MailboxStore, OutboxItem } from "../mailbox/mailbox-store.js";
import { consentReplyAttribute } from "./inbound-consent.js";

/**
 * The start of the error an outbox row is settled with when its customer opted out: the
 * console recognises it and explains it like Twilio's 21610.
 */
export const consentRefusalPrefix = "opted-out:";

/**
 * Why a reply must not go out, or undefined when it may: the address it goes to is opted out
 * in the consent ledger. Consent replies (the help text) are exempt — a HELP must be answered
 * even after STOP. Chat identities have no consent ledger.
 */
export async function consentRefusal(
  mailbox: MailboxStore,
  item: Pick<OutboxItem, "to" | "channel" | "attributes">,
): Promise<string | undefined> {
  if (item.to === null || item.channel === "chat" || item.channel === null) return undefined;
  if (item.attributes[consentReplyAttribute] !== undefined) return undefined;
  const consent = await mailbox.consent(item.to);
  if (consent?.state !== "opted-out") return undefined;
  const why =
    consent.reason === "keyword"
      ? `they sent ${consent.detail === null ? "an opt-out keyword" : `"${consent.detail}"`}`
      : consent.reason === "twilio-21610"
        ? "Twilio reported 21610 (the number replied STOP)"
        : "an operator opted them out";
  return `${consentRefusalPrefix} the customer opted out (${why}); switchboard did not send this. They can opt back in by sending START.`;
}
