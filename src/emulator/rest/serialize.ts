import { deliverySummary } from "../delivery/delivery-summary.js";
import { timerDueDates } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type {
  AddressConfigurationRecord,
  ConversationRecord,
  ConversationWebhookRecord,
  MessageRecord,
  ParticipantRecord,
  ReceiptRecord,
  ServiceRecord,
  UserRecord,
} from "../store/records.js";
import { restDate } from "./twilio-date.js";

/** Every URL in a response names the real Twilio host, exactly as Twilio answers. */
export const conversationsBase = "https://conversations.twilio.com/v1";

/** `https://conversations.twilio.com/v1` or `.../v1/Services/IS…`, matching how the request addressed it. */
export type ResourcePrefix = string;

/** Resources reached through `/v1/Services/{IS}` carry `chat_service_sid`; the default form does not. */
function serviceScope(prefix: ResourcePrefix): { chat_service_sid?: string } {
  const match = /\/Services\/(IS[0-9a-f]{32})$/.exec(prefix);
  return match ? { chat_service_sid: match[1]! } : {};
}

export function serviceJson(store: EmulatorStore, service: ServiceRecord) {
  const url = `${conversationsBase}/Services/${service.sid}`;
  return {
    account_sid: store.accountSid,
    sid: service.sid,
    friendly_name: service.friendlyName,
    date_created: restDate(service.dateCreated),
    date_updated: restDate(service.dateUpdated),
    url,
    links: {
      conversations: `${url}/Conversations`,
      users: `${url}/Users`,
      roles: `${url}/Roles`,
      bindings: `${url}/Bindings`,
      configuration: `${url}/Configuration`,
      participant_conversations: `${url}/ParticipantConversations`,
      conversation_with_participants: `${url}/ConversationWithParticipants`,
    },
  };
}

export function conversationJson(
  store: EmulatorStore,
  prefix: ResourcePrefix,
  conversation: ConversationRecord,
) {
  const url = `${prefix}/Conversations/${conversation.sid}`;
  const due = timerDueDates(conversation);
  const timers: Record<string, string> = {};
  if (due.inactive !== null) timers.date_inactive = restDate(due.inactive);
  if (due.closed !== null) timers.date_closed = restDate(due.closed);
  return {
    account_sid: store.accountSid,
    chat_service_sid: conversation.serviceSid,
    messaging_service_sid: conversation.messagingServiceSid,
    sid: conversation.sid,
    friendly_name: conversation.friendlyName,
    unique_name: conversation.uniqueName,
    attributes: conversation.attributes,
    state: conversation.state,
    date_created: restDate(conversation.dateCreated),
    date_updated: restDate(conversation.dateUpdated),
    timers,
    url,
    links: {
      participants: `${url}/Participants`,
      messages: `${url}/Messages`,
      webhooks: `${url}/Webhooks`,
      export: `${url}/Export`,
    },
    // Twilio's own examples show `{}` for a conversation with no email bindings.
    bindings: {},
  };
}

export function participantJson(
  store: EmulatorStore,
  prefix: ResourcePrefix,
  participant: ParticipantRecord,
) {
  return {
    account_sid: store.accountSid,
    ...serviceScope(prefix),
    conversation_sid: participant.conversationSid,
    sid: participant.sid,
    identity: participant.identity,
    attributes: participant.attributes,
    messaging_binding: participant.messagingBinding,
    role_sid: participant.roleSid,
    date_created: restDate(participant.dateCreated),
    date_updated: restDate(participant.dateUpdated),
    url: `${prefix}/Conversations/${participant.conversationSid}/Participants/${participant.sid}`,
    last_read_message_index: participant.lastReadMessageIndex,
    last_read_timestamp: participant.lastReadTimestamp,
  };
}

export function messageJson(store: EmulatorStore, prefix: ResourcePrefix, message: MessageRecord) {
  const url = `${prefix}/Conversations/${message.conversationSid}/Messages/${message.sid}`;
  return {
    account_sid: store.accountSid,
    ...serviceScope(prefix),
    conversation_sid: message.conversationSid,
    sid: message.sid,
    index: message.index,
    author: message.author,
    body: message.body,
    media: message.media,
    attributes: message.attributes,
    participant_sid: message.participantSid,
    date_created: restDate(message.dateCreated),
    date_updated: message.dateUpdated === null ? null : restDate(message.dateUpdated),
    url,
    delivery: deliverySummary(message),
    links: { delivery_receipts: `${url}/Receipts`, channel_metadata: `${url}/ChannelMetadata` },
    content_sid: message.contentSid,
  };
}

export function receiptJson(store: EmulatorStore, prefix: ResourcePrefix, receipt: ReceiptRecord) {
  return {
    account_sid: store.accountSid,
    ...serviceScope(prefix),
    conversation_sid: receipt.conversationSid,
    sid: receipt.sid,
    message_sid: receipt.messageSid,
    channel_message_sid: receipt.channelMessageSid,
    participant_sid: receipt.participantSid,
    status: receipt.status,
    error_code: receipt.errorCode,
    date_created: restDate(receipt.dateCreated),
    date_updated: restDate(receipt.dateUpdated),
    url: `${prefix}/Conversations/${receipt.conversationSid}/Messages/${receipt.messageSid}/Receipts/${receipt.sid}`,
  };
}

export function conversationWebhookJson(
  store: EmulatorStore,
  prefix: ResourcePrefix,
  webhook: ConversationWebhookRecord,
) {
  return {
    sid: webhook.sid,
    account_sid: store.accountSid,
    ...serviceScope(prefix),
    conversation_sid: webhook.conversationSid,
    target: webhook.target,
    url: `${prefix}/Conversations/${webhook.conversationSid}/Webhooks/${webhook.sid}`,
    configuration: webhook.configuration,
    date_created: restDate(webhook.dateCreated),
    date_updated: restDate(webhook.dateUpdated),
  };
}

export function userJson(store: EmulatorStore, prefix: ResourcePrefix, user: UserRecord) {
  const url = `${prefix}/Users/${user.sid}`;
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
    date_created: restDate(user.dateCreated),
    date_updated: restDate(user.dateUpdated),
    url,
    links: { user_conversations: `${url}/Conversations` },
  };
}

export function addressConfigurationJson(
  store: EmulatorStore,
  address: AddressConfigurationRecord,
) {
  return {
    sid: address.sid,
    account_sid: store.accountSid,
    type: address.type,
    address: address.address,
    friendly_name: address.friendlyName,
    auto_creation: address.autoCreation,
    date_created: restDate(address.dateCreated),
    date_updated: restDate(address.dateUpdated),
    url: `${conversationsBase}/Configuration/Addresses/${address.sid}`,
    address_country: address.addressCountry,
  };
}
