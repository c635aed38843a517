import type { EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import {
  addParticipant,
  findParticipant,
  type ParticipantInput,
  removeParticipant,
  updateParticipant,
} from "../store/participant-actions.js";
import { defined, FormFields, restOrigin } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { participantJson } from "./serialize.js";

function participantInput(fields: FormFields): ParticipantInput {
  const lastRead = fields.string("LastReadMessageIndex");
  return defined({
    identity: fields.string("Identity"),
    address: fields.string("MessagingBinding.Address"),
    proxyAddress: fields.string("MessagingBinding.ProxyAddress"),
    attributes: fields.string("Attributes"),
    roleSid: fields.string("RoleSid"),
    lastReadMessageIndex:
      lastRead === "" || lastRead === "null" ? null : fields.integer("LastReadMessageIndex"),
    lastReadTimestamp: fields.string("LastReadTimestamp"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  });
}

/** Participants: chat identities and SMS/WhatsApp bindings; fetch by SID or identity. */
export function participantRoutes(store: EmulatorStore): EmulatorRoute[] {
  const base = "/Conversations/:conversationSid/Participants";
  const locate = (request: Parameters<EmulatorRoute["handler"]>[0]) => {
    const { service, prefix } = serviceOf(store, request);
    return { prefix, conversation: store.conversation(service, request.params.conversationSid!) };
  };
  return inBothForms([
    {
      method: "POST",
      suffix: base,
      handler: async (request) => {
        const { prefix, conversation } = locate(request);
        const participant = await addParticipant(
          store,
          conversation,
          participantInput(new FormFields(request.form)),
          restOrigin(request),
        );
        return { status: 201, body: participantJson(store, prefix, participant) };
      },
    },
    {
      method: "GET",
      suffix: base,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        return paginate(
          request,
          `${prefix}/Conversations/${conversation.sid}/Participants`,
          "participants",
          [...conversation.participants.values()],
          (item) => participantJson(store, prefix, item),
          pageSizes.standard,
        );
      },
    },
    {
      method: "GET",
      suffix: `${base}/:participantSid`,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        return {
          status: 200,
          body: participantJson(
            store,
            prefix,
            findParticipant(conversation, request.params.participantSid!),
          ),
        };
      },
    },
    {
      method: "POST",
      suffix: `${base}/:participantSid`,
      handler: async (request) => {
        const { prefix, conversation } = locate(request);
        const participant = findParticipant(conversation, request.params.participantSid!);
        await updateParticipant(
          store,
          conversation,
          participant,
          participantInput(new FormFields(request.form)),
          restOrigin(request),
        );
        return { status: 200, body: participantJson(store, prefix, participant) };
      },
    },
    {
      method: "DELETE",
      suffix: `${base}/:participantSid`,
      handler: async (request) => {
        const { conversation } = locate(request);
        const participant = findParticipant(conversation, request.params.participantSid!);
        await removeParticipant(store, conversation, participant, restOrigin(request));
        return { status: 204 };
      },
    },
  ]);
}
