import type { Channel } from "../channels/address.js";
import { normalizePhoneNumber, toWhatsAppAddress } from "../channels/address.js";
import { InvalidAddressError } from "../errors.js";
import { InvalidInputError } from "./provider-errors.js";
import { type KeysOf, refuseUnknownFields } from "./provider-input.js";
import type { ParticipantInput } from "./provider-types.js";

/** A participant input checked and normalised into the fields Twilio wants. */
export type ParticipantBinding =
  | { channel: "sms" | "whatsapp"; address: string; proxyAddress: string | undefined }
  | { channel: "chat"; identity: string };

const maxIdentityLength = 256;

const participantKeys = {
  sms: true,
  whatsapp: true,
  chat: true,
  proxyAddress: true,
  attributes: true,
} as const satisfies Record<KeysOf<ParticipantInput>, true>;

/**
 * Validates a participant input: exactly one of `sms`, `whatsapp`, `chat`; phone numbers in
 * E.164 (spaces, dashes and a leading `00` are tidied); `whatsapp:` added where missing on
 * both the customer's and the proxy address; an SMS number must not carry `whatsapp:`.
 */
export function participantBinding(input: ParticipantInput): ParticipantBinding {
  if (typeof input !== "object" || input === null)
    throw new InvalidInputError(
      "participant",
      "addParticipant needs { sms }, { whatsapp } or { chat }.",
    );
  refuseUnknownFields(input, participantKeys, "", "addParticipant");
  const kinds = (["sms", "whatsapp", "chat"] as const).filter((kind) => kind in input);
  if (kinds.length !== 1) {
    throw new InvalidInputError(
      "participant",
      `addParticipant needs exactly one of sms, whatsapp or chat; got ${kinds.length === 0 ? "none" : kinds.join(" and ")}.`,
    );
  }
  const kind = kinds[0] as Channel;
  const fields = input as Record<string, unknown>;
  if (kind === "chat") {
    const identity = fields.chat;
    if (
      typeof identity !== "string" ||
      identity.trim() === "" ||
      identity.length > maxIdentityLength
    )
      throw new InvalidInputError(
        "chat",
        `A chat identity is a non-empty string of at most ${maxIdentityLength} characters.`,
      );
    return { channel: "chat", identity };
  }
  const address = requireString(fields[kind], kind);
  const proxy =
    fields.proxyAddress === undefined
      ? undefined
      : requireString(fields.proxyAddress, "proxyAddress");
  if (kind === "whatsapp") {
    return {
      channel: "whatsapp",
      address: toWhatsAppAddress(address),
      proxyAddress: proxy === undefined ? undefined : toWhatsAppAddress(proxy),
    };
  }
  const sms = normalizePhoneNumber(address);
  const proxyAddress = proxy === undefined ? undefined : normalizePhoneNumber(proxy);
  if (sms.startsWith("whatsapp:") || proxyAddress?.startsWith("whatsapp:")) {
    throw new InvalidAddressError(
      "An SMS participant cannot use a whatsapp: address; add it with { whatsapp: … } instead.",
    );
  }
  return { channel: "sms", address: sms, proxyAddress };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string")
    throw new InvalidInputError(
      field,
      `${field} must be a phone number string in E.164, like +15551230001.`,
    );
  return value;
}
