import { createConversation } from "./conversation-actions.js";
import type { EmulatorStore } from "./emulator-store.js";
import { addMessage } from "./message-actions.js";
import { addParticipant, findConversationByAddressPair } from "./participant-actions.js";
import type { ConversationRecord, MediaInfo, MessageRecord, ParticipantRecord } from "./records.js";

export { findConversationByAddressPair } from "./participant-actions.js";

/** A message arriving from a customer's phone or WhatsApp number at one of our addresses. */
export interface InboundMessage {
  /** The customer, e.g. `+15551230001` or `whatsapp:+15551230001`. */
  from: string;
  /** Our number, e.g. `+15017122661` or `whatsapp:+15017122661`. */
  to: string;
  body?: string;
  mediaSids?: string[];
  attributes?: string;
}

export interface InboundResult {
  conversation: ConversationRecord;
  participant: ParticipantRecord;
  message: MessageRecord;
  /** Whether the conversation (and participant) were auto-created for this message. */
  created: boolean;
}

/** Media as the inbound path needs it: already registered through the media lookup. */
export type InboundMedia = MediaInfo;

/**
 * Delivers an inbound SMS/WhatsApp message as Twilio does: into the non-closed
 * conversation holding the From+To pair; otherwise, when an address configuration for
 * `to` has auto-creation enabled, into a new conversation (in that configuration's
 * service) with a new participant. Returns undefined when no conversation takes it
 * (Twilio then leaves the message to the Messaging webhook). Webhooks fire with Source
 * `SMS` or `WHATSAPP`, always enabled, as for real inbound traffic.
 */
export async function receiveInboundMessage(
  store: EmulatorStore,
  inbound: InboundMessage,
): Promise<InboundResult | undefined> {
  const whatsapp = inbound.from.startsWith("whatsapp:");
  const origin = {
    source: whatsapp ? ("WHATSAPP" as const) : ("SMS" as const),
    webhookEnabled: true,
  };
  let conversation = findConversationByAddressPair(store, inbound.from, inbound.to);
  let created = false;
  if (!conversation) {
    const configuration = findAddressConfiguration(store, inbound.to);
    if (!configuration?.autoCreation.enabled) return undefined;
    const service = store.service(configuration.autoCreation.conversation_service_sid ?? undefined);
    conversation = await createConversation(
      store,
      service,
      { autoCreationBinding: { address: inbound.from, proxy_address: inbound.to } },
      origin,
    );
    await addParticipant(
      store,
      conversation,
      { address: inbound.from, proxyAddress: inbound.to },
      origin,
    );
    created = true;
  }
  const message = await addMessage(
    store,
    conversation,
    {
      author: inbound.from,
      ...(inbound.body === undefined ? {} : { body: inbound.body }),
      ...(inbound.mediaSids === undefined ? {} : { mediaSids: inbound.mediaSids }),
      ...(inbound.attributes === undefined ? {} : { attributes: inbound.attributes }),
    },
    origin,
  );
  const participant = [...conversation.participants.values()].find(
    (candidate) => candidate.messagingBinding?.address === inbound.from,
  )!;
  return { conversation, participant, message, created };
}

/** The address configuration for one of our addresses (`+1…` or `whatsapp:+1…`). */
export function findAddressConfiguration(store: EmulatorStore, address: string) {
  for (const configuration of store.addresses.values()) {
    const full =
      configuration.type === "whatsapp" && !configuration.address.startsWith("whatsapp:")
        ? `whatsapp:${configuration.address}`
        : configuration.address;
    if (full === address || configuration.address === address) return configuration;
  }
  return undefined;
}
