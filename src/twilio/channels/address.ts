import type { Channel } from "../../channel/channel.js";
import { InvalidAddressError } from "../errors.js";

/** The three Conversations channels switchboard speaks. */
export type { Channel } from "../../channel/channel.js";

const whatsappPrefix = "whatsapp:";
/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
const e164 = /^\+[1-9]\d{1,14}$/;

/**
 * The channel an address belongs to: `whatsapp:+E164` is WhatsApp, a bare E.164 number is
 * SMS, anything else is a chat identity.
 */
export function channelOfAddress(address: string): Channel {
  if (address.toLowerCase().startsWith(whatsappPrefix)) return "whatsapp";
  if (e164.test(address)) return "sms";
  return "chat";
}

/**
 * Normalises a phone number to E.164: drops spaces, dashes, dots and parentheses, turns a
 * leading `00` into `+`, and keeps a `whatsapp:` prefix (lower-cased) if there was one.
 * Throws `InvalidAddressError` when the result is not E.164.
 */
export function normalizePhoneNumber(input: string): string {
  const trimmed = input.trim();
  const hasWhatsapp = trimmed.toLowerCase().startsWith(whatsappPrefix);
  const number = hasWhatsapp ? trimmed.slice(whatsappPrefix.length) : trimmed;
  let compact = number.replace(/[\s().-]/g, "");
  if (compact.startsWith("00")) compact = `+${compact.slice(2)}`;
  if (!e164.test(compact)) {
    throw new InvalidAddressError(
      `Not an E.164 phone number: ${maskAddress(trimmed)}; write it with the country code, like +15551230001 (a plus, then at most 15 digits).`,
    );
  }
  return hasWhatsapp ? `${whatsappPrefix}${compact}` : compact;
}

/** `+15551230001` → `whatsapp:+15551230001`; an address that already has the prefix is only normalised. */
export function toWhatsAppAddress(address: string): string {
  const normalized = normalizePhoneNumber(address);
  return normalized.startsWith(whatsappPrefix) ? normalized : `${whatsappPrefix}${normalized}`;
}

/**
 * A form of the address safe for info-level logs: `+15551230001` → `+1555***0001`,
 * `whatsapp:+15551230001` → `whatsapp:+1555***0001`, `alice@example.com` → `al***om`.
 */
export function maskAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith(whatsappPrefix)) {
    return `${address.slice(0, whatsappPrefix.length)}${maskAddress(address.slice(whatsappPrefix.length))}`;
  }
  if (address.startsWith("+")) {
    // Long enough numbers keep country + area hint and the last four; short ones keep less.
    if (address.length >= 10) return `${address.slice(0, 5)}***${address.slice(-4)}`;
    if (address.length >= 5) return `${address.slice(0, 2)}***${address.slice(-2)}`;
    return "+***";
  }
  if (address.length > 6) return `${address.slice(0, 2)}***${address.slice(-2)}`;
  return "***";
}

/** A participant's REST `messaging_binding` (snake_case, as the API returns it). */
export interface MessagingBinding {
  type?: string | null | undefined;
  address?: string | null | undefined;
  proxy_address?: string | null | undefined;
}

/** The channel of a participant from its REST `messaging_binding`: `null` means chat. */
export function channelOfMessagingBinding(binding: MessagingBinding | null | undefined): Channel {
  if (binding === null || binding === undefined) return "chat";
  const type = binding.type?.toLowerCase();
  if (type === "whatsapp" || type === "sms") return type;
  const address = binding.address ?? binding.proxy_address;
  if (typeof address === "string") {
    const channel = channelOfAddress(address);
    if (channel !== "chat") return channel;
  }
  return "chat";
}

/**
 * The channel of a message from a webhook's `Source` and `Author`. `SMS`, `WHATSAPP` and
 * `SDK` say it directly; for `API` (and anything unknown) the author decides when it is a
 * phone or WhatsApp address, otherwise the channel is not derivable (`undefined`).
 */
export function channelOfWebhookMessage(
  source: string | undefined,
  author: string | undefined,
): Channel | undefined {
  switch (source?.toUpperCase()) {
    case "SMS":
      return "sms";
    case "WHATSAPP":
      return "whatsapp";
    case "SDK":
      return "chat";
  }
  if (author === undefined) return undefined;
  const channel = channelOfAddress(author);
  return channel === "chat" ? undefined : channel;
}
