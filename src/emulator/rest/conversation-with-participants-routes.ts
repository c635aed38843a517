import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import { changeConversationState, createConversation } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { addParticipant, type ParticipantInput } from "../store/participant-actions.js";
import { conversationInput } from "./conversation-routes.js";
import { FormFields, restOrigin } from "./form-fields.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { conversationJson } from "./serialize.js";

/** Twilio's cap on participants in one ConversationWithParticipants request. */
export const maximumParticipantsPerRequest = 10;

function parseParticipant(value: string): ParticipantInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw twilioErrors.invalidParameter("Participant", "each value must be a JSON object");
  }
  if (typeof parsed !== "object" || parsed === null)
    throw twilioErrors.invalidParameter("Participant", "each value must be a JSON object");
  const record = parsed as Record<string, unknown>;
  const binding = (record.messaging_binding ?? {}) as Record<string, unknown>;
  const input: ParticipantInput = {};
  if (typeof record.identity === "string") input.identity = record.identity;
  if (typeof binding.address === "string") input.address = binding.address;
  if (typeof binding.proxy_address === "string") input.proxyAddress = binding.proxy_address;
  if (typeof record.attributes === "string") input.attributes = record.attributes;
  if (typeof record.role_sid === "string") input.roleSid = record.role_sid;
  return input;
}

/**
 * ConversationWithParticipants: one call creating a conversation and up to 10
 * participants. If a participant fails, the conversation is closed and the error answered
 * (Twilio reports 50427 for this; the participant's own error is more useful and kept).
 */
export function conversationWithParticipantsRoutes(store: EmulatorStore): EmulatorRoute[] {
  return inBothForms([
    {
      method: "POST",
      suffix: "/ConversationWithParticipants",
      handler: async (request) => {
        const { service, prefix } = serviceOf(store, request);
        const fields = new FormFields(request.form);
        const participants = (fields.list("Participant") ?? []).map(parseParticipant);
        if (participants.length > maximumParticipantsPerRequest)
          throw twilioErrors.tooManyParticipantsInRequest();
        const origin = restOrigin(request);
        const conversation = await createConversation(
          store,
          service,
          conversationInput(fields),
          origin,
        );
        try {
          for (const participant of participants)
            await addParticipant(store, conversation, participant, origin);
        } catch (error) {
          changeConversationState(store, conversation, "closed", "API", origin);
          throw error;
        }
        return { status: 201, body: conversationJson(store, prefix, conversation) };
      },
    },
  ]);
}
