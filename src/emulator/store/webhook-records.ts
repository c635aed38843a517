import type { EmulatorEvent } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import type {
  ConversationRecord,
  MessageRecord,
  ParticipantRecord,
  ReceiptRecord,
  UserRecord,
} from "./records.js";

/**
 * The records of an event in Twilio's REST (snake_case) shape, with dates kept as epoch
 * milliseconds because webhooks send them with milliseconds (REST strings have lost them).
 * Structurally the shapes `webhooks/rest-records.ts` reads, so the webhook sink can build
 * its parameters from an `EmulatorEvent` without knowing the store.
 */
export function eventRestRecords(store: EmulatorStore, event: EmulatorEvent) {
  const serviceSid = event.serviceSid;
  return {
    ...(event.conversation ? { conversation: conversationRecord(store, event.conversation) } : {}),
    ...(event.participant
      ? { participant: participantRecord(store, serviceSid, event.participant) }
      : {}),
    ...(event.message ? { message: messageRecord(store, serviceSid, event.message) } : {}),
    ...(event.receipt ? { receipt: receiptRecord(store, serviceSid, event.receipt) } : {}),
    ...(event.user ? { user: userRecord(store, event.user) } : {}),
  };
}

function conversationRecord(store: EmulatorStore, conversation: ConversationRecord) {
  return {
    sid: conversation.sid,
    account_sid: store.accountSid,
    chat_service_sid: conversation.serviceSid,
    messaging_service_sid: conversation.messagingServiceSid,
    friendly_name: conversation.friendlyName,
    unique_name: conversation.uniqueName,
    attributes: conversation.attributes,
    state: conversation.state,
    date_created: conversation.dateCreated,
    date_updated: conversation.dateUpdated,
  };
}

function participantRecord(
  store: EmulatorStore,
  serviceSid: string,
  participant: ParticipantRecord,
) {
  return {
    sid: participant.sid,
    account_sid: store.accountSid,
    conversation_sid: participant.conversationSid,
    chat_service_sid: serviceSid,
    identity: participant.identity,
    attributes: participant.attributes,
    messaging_binding: participant.messagingBinding ? { ...participant.messagingBinding } : null,
    role_sid: participant.roleSid,
    date_created: participant.dateCreated,
    date_updated: participant.dateUpdated,
    last_read_message_index: participant.lastReadMessageIndex,
    last_read_timestamp: participant.lastReadTimestamp,
  };
}

function messageRecord(store: EmulatorStore, serviceSid: string, message: MessageRecord) {
  return {
    sid: message.sid,
    account_sid: store.accountSid,
    conversation_sid: message.conversationSid,
    chat_service_sid: serviceSid,
    index: message.index,
    author: message.author,
    body: message.body,
    media: message.media,
    attributes: message.attributes,
    participant_sid: message.participantSid,
    date_created: message.dateCreated,
    date_updated: message.dateUpdated,
    content_sid: message.contentSid,
  };
}

function receiptRecord(store: EmulatorStore, serviceSid: string, receipt: ReceiptRecord) {
  return {
    sid: receipt.sid,
    account_sid: store.accountSid,
    conversation_sid: receipt.conversationSid,
    chat_service_sid: serviceSid,
    message_sid: receipt.messageSid,
    channel_message_sid: receipt.channelMessageSid,
    participant_sid: receipt.participantSid,
    status: receipt.status,
    error_code: receipt.errorCode,
    date_created: receipt.dateCreated,
    date_updated: receipt.dateUpdated,
  };
}

function userRecord(store: EmulatorStore, user: UserRecord) {
  return {
    sid: user.sid,
    account_sid: store.accountSid,
    chat_service_sid: user.serviceSid,
    role_sid: user.roleSid,
    identity: user.identity,
    friendly_name: user.friendlyName,
    attributes: user.attributes,
    is_online: null,
    is_notifiable: null,
    date_created: user.dateCreated,
    date_updated: user.dateUpdated,
  };
}
