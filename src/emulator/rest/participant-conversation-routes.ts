import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import { timerDueDates } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { ConversationRecord, ParticipantRecord, ServiceRecord } from "../store/records.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { restDate } from "./twilio-date.js";

interface ParticipantConversation {
  /** The participant's SID: what paging tokens point at. */
  sid: string;
  conversation: ConversationRecord;
  participant: ParticipantRecord;
}

function participantConversationJson(
  store: EmulatorStore,
  service: ServiceRecord,
  prefix: string,
  { conversation, participant }: ParticipantConversation,
) {
  const due = timerDueDates(conversation);
  const timers: Record<string, string> = {};
  if (due.inactive !== null) timers.date_inactive = restDate(due.inactive);
  if (due.closed !== null) timers.date_closed = restDate(due.closed);
  const conversationUrl = `${prefix}/Conversations/${conversation.sid}`;
  const user =
    participant.identity === null
      ? undefined
      : [...service.users.values()].find(
          (candidate) => candidate.identity === participant.identity,
        );
  return {
    account_sid: store.accountSid,
    chat_service_sid: conversation.serviceSid,
    participant_sid: participant.sid,
    participant_user_sid: user?.sid ?? null,
    participant_identity: participant.identity,
    participant_messaging_binding: participant.messagingBinding,
    conversation_sid: conversation.sid,
    conversation_unique_name: conversation.uniqueName,
    conversation_friendly_name: conversation.friendlyName,
    conversation_attributes: conversation.attributes,
    conversation_date_created: restDate(conversation.dateCreated),
    conversation_date_updated: restDate(conversation.dateUpdated),
    // The emulator does not record who created a conversation.
    conversation_created_by: null,
    conversation_state: conversation.state,
    conversation_timers: timers,
    links: {
      participant: `${conversationUrl}/Participants/${participant.sid}`,
      conversation: conversationUrl,
    },
  };
}

/**
 * ParticipantConversations: every conversation of the service (closed ones too) in which
 * a chat `Identity` or an SMS/WhatsApp `Address` is a participant, one entry per
 * participant. Exactly one of the two filters is required (20001 otherwise).
 */
export function participantConversationRoutes(store: EmulatorStore): EmulatorRoute[] {
  return inBothForms([
    {
      method: "GET",
      suffix: "/ParticipantConversations",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const identity = request.query.get("Identity");
        const address = request.query.get("Address");
        if ((identity === null) === (address === null))
          throw twilioErrors.invalidParameter(
            identity === null ? "Identity" : "Address",
            "exactly one of Identity or Address is required",
          );
        const matches = (participant: ParticipantRecord) =>
          identity === null
            ? participant.messagingBinding?.address === address
            : participant.identity === identity;
        const items: ParticipantConversation[] = [];
        for (const conversation of service.conversations.values())
          for (const participant of conversation.participants.values())
            if (matches(participant))
              items.push({ sid: participant.sid, conversation, participant });
        return paginate(
          request,
          `${prefix}/ParticipantConversations`,
          "conversations",
          items,
          (item) => participantConversationJson(store, service, prefix, item),
          pageSizes.small,
        );
      },
    },
  ]);
}
