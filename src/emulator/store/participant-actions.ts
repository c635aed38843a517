import { twilioErrors } from "../http/twilio-errors.js";
import { newSid } from "../sid.js";
import type { ActionOrigin } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import { firePostEvent, modifiedString, runPreEvent } from "./event-dispatch.js";
import type { ConversationRecord, MessagingBinding, ParticipantRecord } from "./records.js";
import { attributeLimits, checkAttributes } from "./validation.js";

/** Twilio's cap on SMS/WhatsApp participants in one conversation. */
export const maximumNonChatParticipants = 50;

export interface ParticipantInput {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  attributes?: string;
  roleSid?: string;
  lastReadMessageIndex?: number | null;
  lastReadTimestamp?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

/** The non-closed conversation already holding this Address+ProxyAddress pair, if any. */
export function findConversationByAddressPair(
  store: EmulatorStore,
  address: string,
  proxyAddress: string,
): ConversationRecord | undefined {
  for (const conversation of store.allConversations()) {
    if (conversation.state === "closed") continue;
    for (const participant of conversation.participants.values()) {
      const binding = participant.messagingBinding;
      if (binding && binding.address === address && binding.proxy_address === proxyAddress)
        return conversation;
    }
  }
  return undefined;
}

function bindingFor(address: string, proxyAddress: string | undefined): MessagingBinding {
  if (!proxyAddress) throw twilioErrors.missingProxyAddress();
  if (address === proxyAddress) throw twilioErrors.addressEqualsProxy();
  const whatsapp = address.startsWith("whatsapp:");
  if (whatsapp !== proxyAddress.startsWith("whatsapp:"))
    throw twilioErrors.addressChannelMismatch();
  return { type: whatsapp ? "whatsapp" : "sms", address, proxy_address: proxyAddress };
}

/** Adds a chat (Identity) or SMS/WhatsApp (MessagingBinding) participant under Twilio's rules. */
export async function addParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: ParticipantInput,
  origin: ActionOrigin,
): Promise<ParticipantRecord> {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  if (input.identity === undefined && input.address === undefined)
    throw twilioErrors.missingParameter("Identity");
  const participants = [...conversation.participants.values()];
  if (
    input.identity !== undefined &&
    participants.some((other) => other.identity === input.identity)
  )
    throw twilioErrors.identityTaken();
  let binding: MessagingBinding | null = null;
  if (input.address !== undefined) {
    binding = bindingFor(input.address, input.proxyAddress);
    const holder = findConversationByAddressPair(store, binding.address, binding.proxy_address);
    if (holder) throw twilioErrors.addressPairInUse(holder.sid);
    if (participants.filter((other) => other.messagingBinding).length >= maximumNonChatParticipants)
      throw twilioErrors.tooManyNonChatParticipants();
  }
  const attributes = checkAttributes(input.attributes, attributeLimits.participant);
  const service = store.service(conversation.serviceSid);
  const modify = await runPreEvent(store, "onParticipantAdd", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    changes: { identity: input.identity ?? null, messaging_binding: binding, attributes },
  });
  const now = store.clock.now();
  const participant: ParticipantRecord = {
    sid: newSid("MB"),
    conversationSid: conversation.sid,
    identity: input.identity ?? null,
    attributes: modifiedString(modify, "attributes") ?? attributes,
    messagingBinding: binding,
    roleSid: input.roleSid ?? service.configuration.defaultConversationRoleSid,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    lastReadMessageIndex: null,
    lastReadTimestamp: null,
  };
  conversation.participants.set(participant.sid, participant);
  firePostEvent(store, "onParticipantAdded", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    participant,
  });
  return participant;
}

/** A participant by `MB…` SID or chat identity. 404 if unknown. */
export function findParticipant(
  conversation: ConversationRecord,
  sidOrIdentity: string,
): ParticipantRecord {
  const bySid = conversation.participants.get(sidOrIdentity);
  if (bySid) return bySid;
  for (const participant of conversation.participants.values())
    if (participant.identity === sidOrIdentity) return participant;
  throw twilioErrors.notFound(`/Conversations/${conversation.sid}/Participants/${sidOrIdentity}`);
}

export async function updateParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  participant: ParticipantRecord,
  input: ParticipantInput,
  origin: ActionOrigin,
): Promise<ParticipantRecord> {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  if (
    input.identity !== undefined &&
    [...conversation.participants.values()].some(
      (other) => other !== participant && other.identity === input.identity,
    )
  )
    throw twilioErrors.identityTaken();
  const attributes =
    input.attributes === undefined
      ? undefined
      : checkAttributes(input.attributes, attributeLimits.participant);
  const changes: Record<string, unknown> = {};
  if (attributes !== undefined) changes.attributes = attributes;
  if (input.identity !== undefined) changes.identity = input.identity;
  if (input.lastReadMessageIndex !== undefined)
    changes.last_read_message_index = input.lastReadMessageIndex;
  const modify = await runPreEvent(store, "onParticipantUpdate", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    participant,
    changes,
  });
  const newAttributes = modifiedString(modify, "attributes") ?? attributes;
  if (newAttributes !== undefined) participant.attributes = newAttributes;
  if (input.identity !== undefined) participant.identity = input.identity;
  if (input.roleSid !== undefined) participant.roleSid = input.roleSid;
  if (input.proxyAddress !== undefined && participant.messagingBinding)
    participant.messagingBinding = bindingFor(
      participant.messagingBinding.address,
      input.proxyAddress,
    );
  if (input.lastReadMessageIndex !== undefined)
    participant.lastReadMessageIndex = input.lastReadMessageIndex;
  if (input.lastReadTimestamp !== undefined)
    participant.lastReadTimestamp = input.lastReadTimestamp;
  if (input.dateCreated !== undefined) participant.dateCreated = input.dateCreated;
  participant.dateUpdated = input.dateUpdated ?? store.clock.now();
  firePostEvent(store, "onParticipantUpdated", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    participant,
    changes,
  });
  return participant;
}

export async function removeParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  participant: ParticipantRecord,
  origin: ActionOrigin,
): Promise<void> {
  const fields = {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    participant,
  };
  await runPreEvent(store, "onParticipantRemove", origin, fields);
  conversation.participants.delete(participant.sid);
  firePostEvent(store, "onParticipantRemoved", origin, fields);
}
