import { twilioErrors } from "../http/twilio-errors.js";
import { isSid, newSid } from "../sid.js";
import type { ActionOrigin, StateChangeReason } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import { firePostEvent, modifiedString, runPreEvent } from "./event-dispatch.js";
import { uniqueNameKey } from "./keyed-mutex.js";
import type { ConversationRecord, ConversationState, ServiceRecord } from "./records.js";
import {
  attributeLimits,
  checkAttributes,
  checkTimer,
  durationMs,
  timerMinimums,
} from "./validation.js";

/** Fields of a conversation create or update, as REST gives them. */
export interface ConversationInput {
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string;
  messagingServiceSid?: string;
  state?: ConversationState;
  timersInactive?: string;
  timersClosed?: string;
  dateCreated?: number;
  dateUpdated?: number;
  /**
   * The sender's binding when an inbound message auto-creates the conversation; the
   * `onConversationAdd` pre-event carries it as `MessagingBinding.*`.
   */
  autoCreationBinding?: { address: string; proxy_address: string };
  /**
   * The body of the inbound message that auto-creates the conversation; both
   * `onConversationAdd` and `onConversationAdded` carry it as `MessageBody`.
   */
  autoCreationMessageBody?: string;
}

function checkInput(
  store: EmulatorStore,
  service: ServiceRecord,
  input: ConversationInput,
  self?: ConversationRecord,
) {
  if (input.uniqueName !== undefined) {
    if (isSid(input.uniqueName, "CH")) throw twilioErrors.uniqueNameLooksLikeSid();
    const other = store.findConversation(service, input.uniqueName);
    if (other && other !== self) throw twilioErrors.uniqueNameTaken(input.uniqueName);
  }
  if (input.friendlyName !== undefined && input.friendlyName.length > 256)
    throw twilioErrors.invalidParameter("FriendlyName", "at most 256 characters");
  if (input.timersInactive !== undefined && input.timersInactive !== "")
    checkTimer(
      "Timers.Inactive",
      input.timersInactive,
      timerMinimums.inactive.ms,
      timerMinimums.inactive.text,
    );
  if (input.timersClosed !== undefined && input.timersClosed !== "")
    checkTimer(
      "Timers.Closed",
      input.timersClosed,
      timerMinimums.closed.ms,
      timerMinimums.closed.text,
    );
}

function checkNotClosed(conversation: ConversationRecord): void {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
}

/** The lock keys a create or update with this input must hold. */
function conversationKeys(service: ServiceRecord, input: ConversationInput): string[] {
  return input.uniqueName ? [uniqueNameKey(service.sid, input.uniqueName)] : [];
}

/** 50353 when a pre-event hook renamed the conversation to a taken unique name. */
function checkModifiedUniqueName(
  store: EmulatorStore,
  service: ServiceRecord,
  uniqueName: string | undefined,
  self?: ConversationRecord,
): void {
  if (!uniqueName) return;
  const other = store.findConversation(service, uniqueName);
  if (other && other !== self) throw twilioErrors.uniqueNameTaken(uniqueName);
}

/**
 * Creates a conversation (50384 for `closed`, 50353 for a taken unique name). The unique
 * name is locked across the pre-event, so two concurrent creates give one 50353.
 */
export async function createConversation(
  store: EmulatorStore,
  service: ServiceRecord,
  input: ConversationInput,
  origin: ActionOrigin,
): Promise<ConversationRecord> {
  return await store.locks.run(conversationKeys(service, input), () =>
    createConversationWhileLocked(store, service, input, origin),
  );
}

async function createConversationWhileLocked(
  store: EmulatorStore,
  service: ServiceRecord,
  input: ConversationInput,
  origin: ActionOrigin,
): Promise<ConversationRecord> {
  if (input.state === "closed") throw twilioErrors.cannotCreateClosed();
  checkInput(store, service, input);
  const attributes = checkAttributes(input.attributes, attributeLimits.conversation);
  const autoCreation = {
    ...(input.autoCreationBinding ? { messaging_binding: input.autoCreationBinding } : {}),
    ...(input.autoCreationMessageBody === undefined
      ? {}
      : { message_body: input.autoCreationMessageBody }),
  };
  const modify = await runPreEvent(store, "onConversationAdd", origin, {
    serviceSid: service.sid,
    conversationSid: null,
    changes: {
      friendly_name: input.friendlyName ?? null,
      unique_name: input.uniqueName ?? null,
      attributes,
      state: input.state ?? "active",
      ...autoCreation,
    },
  });
  const uniqueName = modifiedString(modify, "unique_name") ?? input.uniqueName;
  checkModifiedUniqueName(store, service, uniqueName);
  const now = store.clock.now();
  const conversation: ConversationRecord = {
    sid: newSid("CH"),
    serviceSid: service.sid,
    friendlyName: modifiedString(modify, "friendly_name") ?? input.friendlyName ?? null,
    uniqueName: uniqueName ?? null,
    attributes: modifiedString(modify, "attributes") ?? attributes,
    state: input.state ?? "active",
    messagingServiceSid:
      input.messagingServiceSid ?? store.configuration.defaultMessagingServiceSid,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    timers: {
      inactive: input.timersInactive || store.configuration.defaultInactiveTimer,
      closed: input.timersClosed || store.configuration.defaultClosedTimer,
    },
    lastActivity: now,
    participants: new Map(),
    messages: [],
    nextIndex: 0,
    webhooks: new Map(),
  };
  service.conversations.set(conversation.sid, conversation);
  scheduleConversationTimers(store, conversation);
  firePostEvent(store, "onConversationAdded", origin, {
    serviceSid: service.sid,
    conversationSid: conversation.sid,
    conversation,
    ...(Object.keys(autoCreation).length > 0 ? { changes: autoCreation } : {}),
  });
  return conversation;
}

/** Updates a conversation; a closed one is final (50377). A state change fires its own event. */
export async function updateConversation(
  store: EmulatorStore,
  conversation: ConversationRecord,
  input: ConversationInput,
  origin: ActionOrigin,
): Promise<ConversationRecord> {
  const service = store.service(conversation.serviceSid);
  return await store.locks.run(conversationKeys(service, input), () =>
    updateConversationWhileLocked(store, service, conversation, input, origin),
  );
}

async function updateConversationWhileLocked(
  store: EmulatorStore,
  service: ServiceRecord,
  conversation: ConversationRecord,
  input: ConversationInput,
  origin: ActionOrigin,
): Promise<ConversationRecord> {
  if (conversation.state === "closed") throw twilioErrors.conversationClosed();
  checkInput(store, service, input, conversation);
  const attributes =
    input.attributes === undefined
      ? undefined
      : checkAttributes(input.attributes, attributeLimits.conversation);
  const changes: Record<string, unknown> = {};
  if (input.friendlyName !== undefined) changes.friendly_name = input.friendlyName;
  if (input.uniqueName !== undefined) changes.unique_name = input.uniqueName;
  if (attributes !== undefined) changes.attributes = attributes;
  if (input.state !== undefined) changes.state = input.state;
  const modify = await runPreEvent(store, "onConversationUpdate", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    changes,
  });
  // A timer may have closed the conversation while the pre-event was answered.
  checkNotClosed(conversation);
  const uniqueName = modifiedString(modify, "unique_name") ?? input.uniqueName;
  checkModifiedUniqueName(store, service, uniqueName, conversation);
  const friendlyName = modifiedString(modify, "friendly_name") ?? input.friendlyName;
  if (friendlyName !== undefined) conversation.friendlyName = friendlyName;
  if (uniqueName !== undefined) conversation.uniqueName = uniqueName === "" ? null : uniqueName;
  const newAttributes = modifiedString(modify, "attributes") ?? attributes;
  if (newAttributes !== undefined) conversation.attributes = newAttributes;
  if (input.messagingServiceSid !== undefined)
    conversation.messagingServiceSid = input.messagingServiceSid;
  if (input.dateCreated !== undefined) conversation.dateCreated = input.dateCreated;
  if (input.timersInactive !== undefined)
    conversation.timers.inactive = input.timersInactive || null;
  if (input.timersClosed !== undefined) conversation.timers.closed = input.timersClosed || null;
  conversation.dateUpdated = input.dateUpdated ?? store.clock.now();
  if (input.timersInactive !== undefined || input.timersClosed !== undefined)
    conversation.lastActivity = store.clock.now();
  firePostEvent(store, "onConversationUpdated", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    changes,
  });
  if (input.state !== undefined && input.state !== conversation.state)
    changeConversationState(store, conversation, input.state, "API", origin);
  else scheduleConversationTimers(store, conversation);
  return conversation;
}

/** Deletes a conversation with everything in it. */
export async function removeConversation(
  store: EmulatorStore,
  conversation: ConversationRecord,
  origin: ActionOrigin,
): Promise<void> {
  await runPreEvent(store, "onConversationRemove", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
  });
  store.timers.get(conversation.sid)?.();
  store.timers.delete(conversation.sid);
  store.service(conversation.serviceSid).conversations.delete(conversation.sid);
  store.addressPairs.removeConversation(conversation);
  firePostEvent(store, "onConversationRemoved", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
  });
}

/**
 * Moves a conversation to another state and fires `onConversationStateUpdated`. Closing
 * is final, cancels its timers and frees its Address+ProxyAddress pairs (pair lookups skip
 * closed conversations).
 */
export function changeConversationState(
  store: EmulatorStore,
  conversation: ConversationRecord,
  to: ConversationState,
  reason: StateChangeReason,
  origin: ActionOrigin,
): void {
  const from = conversation.state;
  if (from === to) return;
  if (from === "closed") throw twilioErrors.conversationClosed();
  conversation.state = to;
  if (to === "closed") store.addressPairs.removeConversation(conversation);
  conversation.dateUpdated = store.clock.now();
  if (to === "active") conversation.lastActivity = store.clock.now();
  scheduleConversationTimers(store, conversation);
  firePostEvent(store, "onConversationStateUpdated", origin, {
    serviceSid: conversation.serviceSid,
    conversationSid: conversation.sid,
    conversation,
    stateChange: { from, to, reason },
  });
}

/** When each timer fires, measured from last activity; null when not applicable. */
export function timerDueDates(conversation: ConversationRecord): {
  inactive: number | null;
  closed: number | null;
} {
  const inactiveMs = conversation.timers.inactive
    ? durationMs(conversation.timers.inactive)
    : undefined;
  const closedMs = conversation.timers.closed ? durationMs(conversation.timers.closed) : undefined;
  return {
    inactive:
      conversation.state === "active" && inactiveMs !== undefined
        ? conversation.lastActivity + inactiveMs
        : null,
    closed:
      conversation.state !== "closed" && closedMs !== undefined
        ? conversation.lastActivity + closedMs
        : null,
  };
}

/** (Re)arms a conversation's timers on the emulator clock; called after any activity. */
export function scheduleConversationTimers(
  store: EmulatorStore,
  conversation: ConversationRecord,
): void {
  store.timers.get(conversation.sid)?.();
  store.timers.delete(conversation.sid);
  const due = timerDueDates(conversation);
  const next =
    due.inactive !== null && (due.closed === null || due.inactive < due.closed)
      ? "inactive"
      : "closed";
  const at = next === "inactive" ? due.inactive : due.closed;
  if (at === null) return;
  // Timers act on nobody's behalf; their webhook carries no Source (see
  // conversationStateUpdatedParams), the "API" here only fills the envelope.
  const timerOrigin: ActionOrigin = { source: "API", webhookEnabled: true };
  const cancel = store.clock.schedule(at, () => {
    store.timers.delete(conversation.sid);
    changeConversationState(store, conversation, next, "TIMER", timerOrigin);
  });
  store.timers.set(conversation.sid, cancel);
}

/** Records activity (a new message): reactivates an inactive conversation and restarts timers. */
export function touchConversation(
  store: EmulatorStore,
  conversation: ConversationRecord,
  origin: ActionOrigin,
): void {
  conversation.lastActivity = store.clock.now();
  // A message reactivating an inactive conversation is an EVENT, not an API change.
  if (conversation.state === "inactive")
    changeConversationState(store, conversation, "active", "EVENT", origin);
  else scheduleConversationTimers(store, conversation);
}
