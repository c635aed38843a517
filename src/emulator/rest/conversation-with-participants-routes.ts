import { EmulatorRestError, RejectedActionError } from "../http/rest-error.js";
import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import { changeConversationState, createConversation } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { addressPairKey } from "../store/keyed-mutex.js";
import {
  addParticipantWhileLocked,
  findConversationByAddressPair,
  type ParticipantInput,
} from "../store/participant-actions.js";
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
 * 50425 before anything is created when a participant's Address+ProxyAddress pair is held
 * by an open conversation or repeated within the request.
 */
function checkAddressPairs(store: EmulatorStore, participants: readonly ParticipantInput[]) {
  const seen = new Set<string>();
  for (const participant of participants) {
    if (participant.address === undefined || participant.proxyAddress === undefined) continue;
    const key = addressPairKey(participant.address, participant.proxyAddress);
    const holder = findConversationByAddressPair(
      store,
      participant.address,
      participant.proxyAddress,
    );
    if (holder)
      throw twilioErrors.conversationWithParticipantsPairInUse(
        `the pair is in Conversation ${holder.sid}`,
      );
    if (seen.has(key))
      throw twilioErrors.conversationWithParticipantsPairInUse(
        "the pair is given twice in this request",
      );
    seen.add(key);
  }
}

function innerMessage(error: unknown): string {
  if (error instanceof EmulatorRestError) return `${error.twilioCode}: ${error.message}`;
  if (error instanceof RejectedActionError) return error.message;
  return "internal error";
}

/**
 * ConversationWithParticipants: one call creating a conversation and up to 10
 * participants. A pair clash answers 50425 and creates nothing (the pairs are checked,
 * and locked, before the conversation exists). Any other participant failure closes the
 * conversation and answers 50427, as Twilio does, naming the participant's own error.
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
        const pairKeys = participants.flatMap((participant) =>
          participant.address === undefined || participant.proxyAddress === undefined
            ? []
            : [addressPairKey(participant.address, participant.proxyAddress)],
        );
        return await store.locks.run(pairKeys, async () => {
          checkAddressPairs(store, participants);
          const conversation = await createConversation(
            store,
            service,
            conversationInput(fields),
            origin,
          );
          try {
            for (const participant of participants)
              await addParticipantWhileLocked(store, conversation, participant, origin);
          } catch (error) {
            if (conversation.state !== "closed")
              changeConversationState(store, conversation, "closed", "API", origin);
            if (error instanceof EmulatorRestError && error.twilioCode === 50416)
              throw twilioErrors.conversationWithParticipantsPairInUse(error.message);
            throw twilioErrors.conversationWithParticipantsFailed(innerMessage(error));
          }
          return { status: 201, body: conversationJson(store, prefix, conversation) };
        });
      },
    },
  ]);
}
