import { newSid } from "../sid.js";
import { createConversation } from "./conversation-actions.js";
import type { EmulatorStore } from "./emulator-store.js";
import { addressPairKey } from "./keyed-mutex.js";
import { addMessage } from "./message-actions.js";
import { addParticipantWhileLocked, findConversationByAddressPair } from "./participant-actions.js";
import type {
  AddressConfigurationRecord,
  ConversationRecord,
  MediaInfo,
  MessageRecord,
  ParticipantRecord,
} from "./records.js";

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
  // Holding the pair while finding or creating its conversation makes a second message
  // from a new number, arriving during the first one's pre-events, join the same one.
  const found = await store.locks.run([addressPairKey(inbound.from, inbound.to)], async () => {
    const existing = findConversationByAddressPair(store, inbound.from, inbound.to);
    if (existing) return { conversation: existing, created: false };
    const configuration = findAddressConfiguration(store, inbound.to);
    if (!configuration?.autoCreation.enabled) return undefined;
    const service = store.service(configuration.autoCreation.conversation_service_sid ?? undefined);
    const conversation = await createConversation(
      store,
      service,
      {
        autoCreationBinding: { address: inbound.from, proxy_address: inbound.to },
        ...(inbound.body === undefined ? {} : { autoCreationMessageBody: inbound.body }),
      },
      origin,
    );
    attachAutoCreationWebhook(store, conversation, configuration);
    await addParticipantWhileLocked(
      store,
      conversation,
      { address: inbound.from, proxyAddress: inbound.to },
      origin,
    );
    return { conversation, created: true };
  });
  if (!found) return undefined;
  const { conversation, created } = found;
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

/**
 * An address configuration with `AutoCreation.Type=webhook` gives every conversation it
 * creates a conversation-scoped webhook with its URL, method and filters, before the
 * participant and the first message are added so both reach it. Twilio docs, "Address
 * Configuration Resource": "The configuration can optionally include automatically
 * attaching a Conversation-scoped Webhook to the auto-created conversations" (the
 * auto-creation filters are exactly the post-events a conversation-scoped webhook takes).
 */
function attachAutoCreationWebhook(
  store: EmulatorStore,
  conversation: ConversationRecord,
  configuration: AddressConfigurationRecord,
): void {
  const autoCreation = configuration.autoCreation;
  if (autoCreation.type !== "webhook" || !autoCreation.webhook_url) return;
  const now = store.clock.now();
  const sid = newSid("WH");
  conversation.webhooks.set(sid, {
    sid,
    conversationSid: conversation.sid,
    target: "webhook",
    configuration: {
      url: autoCreation.webhook_url,
      method: autoCreation.webhook_method ?? "POST",
      filters: [...autoCreation.webhook_filters],
    },
    dateCreated: now,
    dateUpdated: now,
  });
}
