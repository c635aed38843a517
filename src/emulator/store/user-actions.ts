import { twilioErrors } from "../http/twilio-errors.js";
import { isSid, newSid } from "../sid.js";
import type { ActionOrigin } from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";
import { firePostEvent, modifiedString, runPreEvent } from "./event-dispatch.js";
import type { ServiceRecord, UserRecord } from "./records.js";
import { requireRole } from "./role-actions.js";
import { attributeLimits, checkAttributes } from "./validation.js";

export interface UserInput {
  identity?: string;
  friendlyName?: string;
  attributes?: string;
  roleSid?: string;
}

/** A user by `US…` SID or identity. 404 if unknown. */
export function findUser(service: ServiceRecord, sidOrIdentity: string): UserRecord {
  if (isSid(sidOrIdentity, "US")) {
    const user = service.users.get(sidOrIdentity);
    if (user) return user;
  } else {
    for (const user of service.users.values()) if (user.identity === sidOrIdentity) return user;
  }
  throw twilioErrors.notFound(`/Users/${sidOrIdentity}`);
}

export async function createUser(
  store: EmulatorStore,
  service: ServiceRecord,
  input: UserInput,
  origin: ActionOrigin,
): Promise<UserRecord> {
  const identity = input.identity;
  if (!identity) throw twilioErrors.missingParameter("Identity");
  requireRole(service, input.roleSid, "service");
  for (const user of service.users.values())
    if (user.identity === identity) throw twilioErrors.userIdentityTaken(identity);
  const attributes = checkAttributes(input.attributes, attributeLimits.user);
  const now = store.clock.now();
  const user: UserRecord = {
    sid: newSid("US"),
    serviceSid: service.sid,
    identity,
    friendlyName: input.friendlyName ?? null,
    attributes,
    roleSid: input.roleSid ?? service.configuration.defaultChatServiceRoleSid,
    dateCreated: now,
    dateUpdated: now,
  };
  service.users.set(user.sid, user);
  firePostEvent(store, "onUserAdded", origin, {
    serviceSid: service.sid,
    conversationSid: null,
    user,
  });
  return user;
}

export async function updateUser(
  store: EmulatorStore,
  user: UserRecord,
  input: UserInput,
  origin: ActionOrigin,
): Promise<UserRecord> {
  requireRole(store.service(user.serviceSid), input.roleSid, "service");
  const attributes =
    input.attributes === undefined
      ? undefined
      : checkAttributes(input.attributes, attributeLimits.user);
  const changes: Record<string, unknown> = {};
  if (input.friendlyName !== undefined) changes.friendly_name = input.friendlyName;
  if (attributes !== undefined) changes.attributes = attributes;
  const modify = await runPreEvent(store, "onUserUpdate", origin, {
    serviceSid: user.serviceSid,
    conversationSid: null,
    user,
    changes,
  });
  const friendlyName = modifiedString(modify, "friendly_name") ?? input.friendlyName;
  if (friendlyName !== undefined) user.friendlyName = friendlyName;
  const newAttributes = modifiedString(modify, "attributes") ?? attributes;
  if (newAttributes !== undefined) user.attributes = newAttributes;
  if (input.roleSid !== undefined) user.roleSid = input.roleSid;
  user.dateUpdated = store.clock.now();
  firePostEvent(store, "onUserUpdated", origin, {
    serviceSid: user.serviceSid,
    conversationSid: null,
    user,
    changes,
  });
  return user;
}

/** Deletes a user. Twilio defines no webhook event for user removal. */
export async function removeUser(store: EmulatorStore, user: UserRecord): Promise<void> {
  store.service(user.serviceSid).users.delete(user.sid);
}
