import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import { timerDueDates } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { removeParticipant, updateParticipant } from "../store/participant-actions.js";
import type { ConversationRecord, ParticipantRecord, UserRecord } from "../store/records.js";
import { findUser } from "../store/user-actions.js";
import { defined, FormFields, restOrigin } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { restDate } from "./twilio-date.js";

interface UserConversation {
  /** The participant's SID: what paging tokens point at. */
  sid: string;
  conversation: ConversationRecord;
  participant: ParticipantRecord;
}

function userConversationJson(
  store: EmulatorStore,
  prefix: string,
  user: UserRecord,
  { conversation, participant }: UserConversation,
) {
  const due = timerDueDates(conversation);
  const timers: Record<string, string> = {};
  if (due.inactive !== null) timers.date_inactive = restDate(due.inactive);
  if (due.closed !== null) timers.date_closed = restDate(due.closed);
  const conversationUrl = `${prefix}/Conversations/${conversation.sid}`;
  const lastRead = participant.lastReadMessageIndex;
  return {
    account_sid: store.accountSid,
    chat_service_sid: conversation.serviceSid,
    conversation_sid: conversation.sid,
    // Unknown until the participant has a read horizon, as in Twilio's client SDKs.
    unread_messages_count:
      lastRead === null
        ? null
        : conversation.messages.filter((message) => message.index > lastRead).length,
    last_read_message_index: lastRead,
    participant_sid: participant.sid,
    user_sid: user.sid,
    friendly_name: conversation.friendlyName,
    conversation_state: conversation.state,
    timers,
    attributes: conversation.attributes,
    date_created: restDate(conversation.dateCreated),
    date_updated: restDate(conversation.dateUpdated),
    // The emulator does not record who created a conversation.
    created_by: null,
    notification_level: participant.notificationLevel ?? "default",
    unique_name: conversation.uniqueName,
    url: `${prefix}/Users/${user.sid}/Conversations/${conversation.sid}`,
    links: {
      participant: `${conversationUrl}/Participants/${participant.sid}`,
      conversation: conversationUrl,
    },
  };
}

/**
 * User Conversations: the conversations in which a user (by `US…` SID or identity) is a
 * chat participant. Update sets the participant's notification level and read horizon;
 * delete removes the participant (the user leaves the conversation).
 */
export function userConversationRoutes(store: EmulatorStore): EmulatorRoute[] {
  const base = "/Users/:userSid/Conversations";
  const memberships = (service: ReturnType<typeof serviceOf>["service"], user: UserRecord) => {
    const items: UserConversation[] = [];
    for (const conversation of service.conversations.values())
      for (const participant of conversation.participants.values())
        if (participant.identity === user.identity)
          items.push({ sid: participant.sid, conversation, participant });
    return items;
  };
  const locate = (request: EmulatorRequest) => {
    const { service, prefix } = serviceOf(store, request);
    const user = findUser(service, request.params.userSid!);
    const conversation = store.findConversation(service, request.params.conversationSid!);
    const membership = conversation
      ? memberships(service, user).find((item) => item.conversation === conversation)
      : undefined;
    if (!membership)
      throw twilioErrors.notFound(
        `/Users/${request.params.userSid}/Conversations/${request.params.conversationSid}`,
      );
    return { prefix, user, membership };
  };
  return inBothForms([
    {
      method: "GET",
      suffix: base,
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const user = findUser(service, request.params.userSid!);
        return paginate(
          request,
          `${prefix}/Users/${user.sid}/Conversations`,
          "conversations",
          memberships(service, user),
          (item) => userConversationJson(store, prefix, user, item),
          pageSizes.small,
        );
      },
    },
    {
      method: "GET",
      suffix: `${base}/:conversationSid`,
      handler: (request) => {
        const { prefix, user, membership } = locate(request);
        return { status: 200, body: userConversationJson(store, prefix, user, membership) };
      },
    },
    {
      method: "POST",
      suffix: `${base}/:conversationSid`,
      handler: async (request) => {
        const { prefix, user, membership } = locate(request);
        const fields = new FormFields(request.form);
        const level = fields.oneOf("NotificationLevel", ["default", "muted"] as const);
        const lastReadTimestamp = fields.date("LastReadTimestamp");
        const input = defined({
          lastReadMessageIndex: fields.integer("LastReadMessageIndex"),
          lastReadTimestamp:
            lastReadTimestamp === undefined ? undefined : restDate(lastReadTimestamp),
        });
        if (Object.keys(input).length > 0)
          await updateParticipant(
            store,
            membership.conversation,
            membership.participant,
            input,
            restOrigin(request),
          );
        if (level !== undefined) membership.participant.notificationLevel = level;
        return { status: 200, body: userConversationJson(store, prefix, user, membership) };
      },
    },
    {
      method: "DELETE",
      suffix: `${base}/:conversationSid`,
      handler: async (request) => {
        const { membership } = locate(request);
        await removeParticipant(
          store,
          membership.conversation,
          membership.participant,
          restOrigin(request),
        );
        return { status: 204 };
      },
    },
  ]);
}
