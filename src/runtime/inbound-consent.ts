import type {
  ConsentRecord,
  ConsentState,
  InboundMessage,
  MailboxStore,
} from "../mailbox/mailbox-store.js";
import { maskAddress } from "../twilio/channels/address.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { ConsentPolicy } from "./consent-policy.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** What applying consent to an inbound message needs. */
export interface InboundConsentSettings {
  mailbox: MailboxStore;
  policy: ConsentPolicy;
  events: SwitchboardEvents;
  logger: TwilioLogger;
}

/** The message marked for the mailbox, and whether switchboard owes it the help text. */
export interface InboundConsent {
  inbound: InboundMessage;
  answerHelp: boolean;
}

/**
 * Applies the consent ledger to a customer message before it is stored: a consent keyword
 * changes the ledger (an opt-in only from someone opted out — otherwise "Yes" is an answer)
 * and is marked `keyword`, so no agent answers it; any other message from an opted-out
 * address is marked `opted-out`. The message is stored either way: history keeps what the
 * customer said. Throws when the ledger cannot be read or written, so the webhook answers 500
 * and Twilio retries. `known`: states read already, by address (null: no record), used
 * instead of reading the ledger and kept current by the changes made here.
 */
export async function applyInboundConsent(
  inbound: InboundMessage,
  settings: InboundConsentSettings,
  known?: Map<string, ConsentState | null>,
): Promise<InboundConsent> {
  const address = inbound.customerAddress;
  if (inbound.role !== "customer" || address === undefined || inbound.channel === "chat")
    return { inbound, answerHelp: false };
  const keyword = settings.policy.keywordOf(inbound.channel, inbound.body);
  const current = known?.has(address)
    ? known.get(address)
    : ((await settings.mailbox.consent(address))?.state ?? null);
  const optedOut = current === "opted-out";
  const change = async (state: ConsentState) => {
    await settings.mailbox.setConsent({
      address,
      state,
      reason: "keyword",
      detail: (inbound.body ?? "").trim().slice(0, 200),
    });
    known?.set(address, state);
    settings.logger.info(
      { conversationSid: inbound.conversationSid, address: maskAddress(address), state },
      "consent changed by keyword",
    );
    settings.events.emit("consent.changed", {
      address,
      conversationSid: inbound.conversationSid,
      state,
      reason: "keyword",
    });
  };
  if (keyword === "opt-out") {
    if (!optedOut) await change("opted-out");
    return { inbound: { ...inbound, consentMark: "keyword" }, answerHelp: false };
  }
  if (keyword === "opt-in" && optedOut) {
    await change("opted-in");
    return { inbound: { ...inbound, consentMark: "keyword" }, answerHelp: false };
  }
  if (keyword === "help")
    return {
      inbound: { ...inbound, consentMark: "keyword" },
      answerHelp: settings.policy.helpText !== undefined,
    };
  if (optedOut) return { inbound: { ...inbound, consentMark: "opted-out" }, answerHelp: false };
  return { inbound, answerHelp: false };
}

/** The reply id of the help answer to one message: enqueued once, however often retried. */
export const helpReplyId = (messageSid: string) => `${messageSid}.help`;

/** Attribute marking consent replies (the help text): they go out even to an opted-out address. */
export const consentReplyAttribute = "switchboardConsentReply";

/**
 * Whether consent keeps the agent out of a claimed turn: true when every message of it is
 * marked (a keyword, or sent while opted out), or is found to be one now — a message that
 * reached the mailbox through catch-up was never checked at the webhook, so its keyword is
 * applied here, and an opt-out recorded since it was stored (Twilio's 21610) counts too.
 */
export async function consentSilencesTurn(
  messages: readonly InboundMessage[],
  settings: InboundConsentSettings,
  known?: readonly ConsentRecord[],
): Promise<boolean> {
  // Records read already (with the turn's context) stand for the ledger's reads; a keyword of
  // an earlier message in the turn updates them, as it updates the ledger.
  const states =
    known === undefined
      ? undefined
      : new Map<string, ConsentState | null>(
          consentAddressesOf(messages).map((address) => [
            address,
            known.find((record) => record.address === address)?.state ?? null,
          ]),
        );
  for (const message of messages) {
    if (message.consentMark !== undefined) continue;
    const { inbound } = await applyInboundConsent(message, settings, states);
    if (inbound.consentMark === undefined) return false;
  }
  return messages.length > 0;
}

/** The addresses `consentSilencesTurn` reads the ledger of: unmarked customer messages'. */
export function consentAddressesOf(messages: readonly InboundMessage[]): string[] {
  const addresses = new Set<string>();
  for (const message of messages)
    if (
      message.consentMark === undefined &&
      message.role === "customer" &&
      message.customerAddress !== undefined &&
      message.channel !== "chat"
    )
      addresses.add(message.customerAddress);
  return [...addresses];
}
