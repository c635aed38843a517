import { twilioErrors } from "../http/twilio-errors.js";
import { newSid } from "../sid.js";
import type { ActionOrigin } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import { firePostEvent, modifiedString, runPreEvent } from "./event-dispatch.js";
import { addressPairKey, participantIdentityKey } from "./keyed-mutex.js";
import type { ConversationRecord, MessagingBinding, ParticipantRecord } from "./records.js";
import { requireRole } from "./role-actions.js";
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
  return store.addressPairs.find(store.services, address, proxyAddress);
}

function bindingFor(address: string, proxyAddress: string | undefined): MessagingBinding {
  if (!proxyAddress) throw twilioErrors.missingProxyAddress();
  if (address === proxyAddress) throw twilioErrors.addressEqualsProxy();
  const whatsapp = address.startsWith("whatsapp:");
  if (whatsapp !== proxyAddress.startsWith("whatsapp:"))
    throw twilioErrors.addressChannelMismatch();
  return { type: whatsapp ? "whatsapp" : "sms", address, proxy_address: proxyAddress };
}

/** The lock keys an add or update of this participant must hold. */
function participantKeys(conversation: ConversationRecord, input: ParticipantInput): string[] {
  const keys: string[] = [];
  if (input.identity !== undefined)
    keys.push(participantIdentityKey(conversation.sid, input.identity));
  if (input.address !== undefined && input.proxyAddress !== undefined)
    keys.push(addressPairKey(input.address, input.proxyAddress));
  return keys;
}

/** The checks of an add, run before the pre-event and again after it (it may take a while). */
function checkNewParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: ParticipantInput,
): MessagingBinding | null {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  if (input.identity === undefined && input.address === undefined)
    throw twilioErrors.missingParameter("Identity");
  requireRole(store.service(conversation.serviceSid), input.roleSid, "conversation");
  const participants = [...conversation.participants.values()];
  if (
    input.identity !== undefined &&
    participants.some((other) => other.identity === input.identity)
  )
    throw twilioErrors.identityTaken();
  if (input.address === undefined) return null;
  const binding = bindingFor(input.address, input.proxyAddress);
  const holder = findConversationByAddressPair(store, binding.address, binding.proxy_address);
  if (holder) throw twilioErrors.addressPairInUse(holder.sid);
  if (participants.filter((other) => other.messagingBinding).length >= maximumNonChatParticipants)
    throw twilioErrors.tooManyNonChatParticipants();
  return binding;
}

/**
 * Adds a chat (Identity) or SMS/WhatsApp (MessagingBinding) participant under Twilio's
 * rules. The identity and Address+ProxyAddress pair are locked across the pre-event, so
 * two concurrent adds of one pair give one participant and one 50416.
 */
export async function addParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: ParticipantInput,
  origin: ActionOrigin,
): Promise<ParticipantRecord> {
  return await store.locks.run(participantKeys(conversation, input), () =>
    addParticipantWhileLocked(store, conversation, input, origin),
  );
}

/**
 * `addParticipant` for a caller already holding the participant's lock keys (the inbound
 * path holds the pair while it finds or creates the conversation).
 */
export async function addParticipantWhileLocked(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: ParticipantInput,
  origin: ActionOrigin,
): Promise<ParticipantRecord> {
  const binding = checkNewParticipant(store, conversation, input);
  const attributes = checkAttributes(input.attributes, attributeLimits.participant);
  const service = store.service(conversation.serviceSid);
  const modify = await runPreEvent(store, "onParticipantAdd", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    changes: { identity: input.identity ?? null, messaging_binding: binding, attributes },
  });
  // The conversation may have closed or filled up while the pre-event was answered.
  checkNewParticipant(store, conversation, input);
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
  if (binding) store.addressPairs.add(binding.address, binding.proxy_address, conversation);
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

function checkParticipantUpdate(
  conversation: ConversationRecord,
  participant: ParticipantRecord,
  input: ParticipantInput,
): void {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  if (
    input.identity !== undefined &&
    [...conversation.participants.values()].some(
      (other) => other !== participant && other.identity === input.identity,
    )
  )
    throw twilioErrors.identityTaken();
}

/** Updates a participant; a new identity is locked across the pre-event (50433 once). */
export async function updateParticipant(
  store: EmulatorStore,
  conversation: ConversationRecord,
  participant: ParticipantRecord,
  input: ParticipantInput,
  origin: ActionOrigin,
): Promise<ParticipantRecord> {
  requireRole(store.service(conversation.serviceSid), input.roleSid, "conversation");
  const keys =
    input.identity === undefined ? [] : [participantIdentityKey(conversation.sid, input.identity)];
  return await store.locks.run(keys, async () => {
    checkParticipantUpdate(conversation, participant, input);
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
    checkParticipantUpdate(conversation, participant, input);
    const newAttributes = modifiedString(modify, "attributes") ?? attributes;
    if (newAttributes !== undefined) participant.attributes = newAttributes;
    if (input.identity !== undefined) participant.identity = input.identity;
    if (input.roleSid !== undefined) participant.roleSid = input.roleSid;
    const oldBinding = participant.messagingBinding;
    if (input.proxyAddress !== undefined && oldBinding) {
      const binding = bindingFor(oldBinding.address, input.proxyAddress);
      participant.messagingBinding = binding;
      store.addressPairs.remove(oldBinding.address, oldBinding.proxy_address, conversation);
      if (conversation.state !== "closed")
        store.addressPairs.add(binding.address, binding.proxy_address, conversation);
    }
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
  });
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
  const binding = participant.messagingBinding;
  if (binding) store.addressPairs.remove(binding.address, binding.proxy_address, conversation);
  firePostEvent(store, "onParticipantRemoved", origin, fields);
}
