import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import {
  type ConversationInput,
  createConversation,
  removeConversation,
  updateConversation,
} from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { ConversationState } from "../store/records.js";
import { defined, FormFields, restOrigin } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { conversationJson } from "./serialize.js";
import { parseRestDate } from "./twilio-date.js";

const states = ["active", "inactive", "closed"] as const;

export function conversationInput(fields: FormFields): ConversationInput {
  const state = fields.oneOf<ConversationState | "initializing">("State", [
    ...states,
    "initializing",
  ]);
  return defined({
    friendlyName: fields.string("FriendlyName"),
    uniqueName: fields.string("UniqueName"),
    attributes: fields.string("Attributes"),
    messagingServiceSid: fields.string("MessagingServiceSid"),
    state: state === "initializing" ? "active" : state,
    timersInactive: fields.string("Timers.Inactive"),
    timersClosed: fields.string("Timers.Closed"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  });
}

function dateFilter(value: string | null, name: string, endOfDay: boolean): number | undefined {
  if (value === null) return undefined;
  const ms = parseRestDate(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (ms === undefined) throw twilioErrors.invalidParameter(name, "must be a date");
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 86_399_999 : ms;
}

/** Conversations: create, fetch by SID or unique name, list with filters, update, delete. */
export function conversationRoutes(store: EmulatorStore): EmulatorRoute[] {
  return inBothForms([
    {
      method: "POST",
      suffix: "/Conversations",
      handler: async (request) => {
        const { service, prefix } = serviceOf(store, request);
        const input = conversationInput(new FormFields(request.form));
        const conversation = await createConversation(store, service, input, restOrigin(request));
        return { status: 201, body: conversationJson(store, prefix, conversation) };
      },
    },
    {
      method: "GET",
      suffix: "/Conversations",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const state = request.query.get("State");
        if (state !== null && !(states as readonly string[]).includes(state))
          throw twilioErrors.invalidParameter("State", `must be one of ${states.join(", ")}`);
        const start = dateFilter(request.query.get("StartDate"), "StartDate", false);
        const end = dateFilter(request.query.get("EndDate"), "EndDate", true);
        const items = [...service.conversations.values()].filter(
          (conversation) =>
            (state === null || conversation.state === state) &&
            (start === undefined || conversation.dateCreated >= start) &&
            (end === undefined || conversation.dateCreated <= end),
        );
        return paginate(
          request,
          `${prefix}/Conversations`,
          "conversations",
          items,
          (item) => conversationJson(store, prefix, item),
          pageSizes.standard,
        );
      },
    },
    {
      method: "GET",
      suffix: "/Conversations/:conversationSid",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const conversation = store.conversation(service, request.params.conversationSid!);
        return { status: 200, body: conversationJson(store, prefix, conversation) };
      },
    },
    {
      method: "POST",
      suffix: "/Conversations/:conversationSid",
      handler: async (request) => {
        const { service, prefix } = serviceOf(store, request);
        const conversation = store.conversation(service, request.params.conversationSid!);
        const input = conversationInput(new FormFields(request.form));
        await updateConversation(store, conversation, input, restOrigin(request));
        return { status: 200, body: conversationJson(store, prefix, conversation) };
      },
    },
    {
      method: "DELETE",
      suffix: "/Conversations/:conversationSid",
      handler: async (request) => {
        const { service } = serviceOf(store, request);
        const conversation = store.conversation(service, request.params.conversationSid!);
        await removeConversation(store, conversation, restOrigin(request));
        return { status: 204 };
      },
    },
  ]);
}
