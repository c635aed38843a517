import { twilioErrors } from "../http/twilio-errors.js";
import { isSid, newSid } from "../sid.js";
import type { EmulatorStore } from "./emulator-store.js";
import type { BindingRecord, BindingType, ServiceRecord } from "./records.js";

export const bindingTypes = [
  "apn",
  "gcm",
  "fcm",
  "twilsock",
] as const satisfies readonly BindingType[];

/** The push message types a binding receives when registered without a list. */
export const defaultBindingMessageTypes = [
  "new_message",
  "added_to_conversation",
  "removed_from_conversation",
];

export interface BindingInput {
  identity: string;
  bindingType: BindingType;
  endpoint?: string;
  credentialSid?: string;
  messageTypes?: readonly string[];
}

/**
 * Registers a push binding as a client SDK would (Twilio has no REST create for bindings).
 * One binding per identity, type and endpoint: registering again refreshes it.
 */
export function registerBinding(
  store: EmulatorStore,
  service: ServiceRecord,
  input: BindingInput,
): BindingRecord {
  if (input.credentialSid !== undefined && !store.credentials.has(input.credentialSid))
    throw twilioErrors.invalidParameter("CredentialSid", `${input.credentialSid} does not exist`);
  const endpoint = input.endpoint ?? `${input.identity}-endpoint`;
  const now = store.clock.now();
  for (const existing of service.bindings.values())
    if (
      existing.identity === input.identity &&
      existing.bindingType === input.bindingType &&
      existing.endpoint === endpoint
    ) {
      existing.credentialSid = input.credentialSid ?? existing.credentialSid;
      if (input.messageTypes) existing.messageTypes = [...input.messageTypes];
      existing.dateUpdated = now;
      return existing;
    }
  const binding: BindingRecord = {
    sid: newSid("BS"),
    serviceSid: service.sid,
    credentialSid: input.credentialSid ?? null,
    identity: input.identity,
    endpoint,
    bindingType: input.bindingType,
    messageTypes: [...(input.messageTypes ?? defaultBindingMessageTypes)],
    dateCreated: now,
    dateUpdated: now,
  };
  service.bindings.set(binding.sid, binding);
  return binding;
}

/** A binding by `BS…` SID. 404 if unknown. */
export function findBinding(service: ServiceRecord, sid: string): BindingRecord {
  const binding = isSid(sid, "BS") ? service.bindings.get(sid) : undefined;
  if (!binding) throw twilioErrors.notFound(`/Services/${service.sid}/Bindings/${sid}`);
  return binding;
}
