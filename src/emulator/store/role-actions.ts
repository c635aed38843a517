import { twilioErrors } from "../http/twilio-errors.js";
import { isSid, newSid, seededSid } from "../sid.js";
import type { EmulatorStore } from "./emulator-store.js";
import type { RoleRecord, RoleType, ServiceRecord } from "./records.js";

/**
 * The permissions a role of each scope may hold, from Twilio's Role resource page
 * ("Permission values"): service roles govern users, conversation roles participants.
 */
export const rolePermissions: Record<RoleType, readonly string[]> = {
  service: [
    "addParticipant",
    "createConversation",
    "deleteAnyMessage",
    "deleteConversation",
    "editAnyMessage",
    "editAnyMessageAttributes",
    "editAnyUserInfo",
    "editConversationAttributes",
    "editConversationName",
    "editOwnMessage",
    "editOwnMessageAttributes",
    "editOwnUserInfo",
    "joinConversation",
    "removeParticipant",
  ],
  conversation: [
    "addNonChatParticipant",
    "addParticipant",
    "deleteAnyMessage",
    "deleteOwnMessage",
    "editAnyMessage",
    "editAnyMessageAttributes",
    "editConversationAttributes",
    "editConversationName",
    "editNotificationLevel",
    "editOwnMessage",
    "editOwnMessageAttributes",
    "leaveConversation",
    "removeParticipant",
    "sendMediaMessage",
    "sendMessage",
  ],
};

/** The SIDs of a service's built-in roles: stable per service, so they survive restarts. */
export function defaultRoleSids(serviceSid: string) {
  return {
    conversationCreator: seededSid("RL", `${serviceSid}:conversation-creator`),
    conversationParticipant: seededSid("RL", `${serviceSid}:conversation-participant`),
    serviceUser: seededSid("RL", `${serviceSid}:service-user`),
    serviceAdmin: seededSid("RL", `${serviceSid}:service-admin`),
  };
}

/**
 * The four roles every Twilio service starts with (`service admin`, `service user`,
 * `channel admin`, `channel user`); the service configuration names three of them.
 */
export function defaultRoles(serviceSid: string, now: number): Map<string, RoleRecord> {
  const sids = defaultRoleSids(serviceSid);
  const role = (sid: string, friendlyName: string, type: RoleType, permissions: string[]) =>
    [
      sid,
      { sid, serviceSid, friendlyName, type, permissions, dateCreated: now, dateUpdated: now },
    ] as const;
  return new Map([
    role(sids.serviceAdmin, "service admin", "service", [...rolePermissions.service]),
    role(sids.serviceUser, "service user", "service", [
      "createConversation",
      "joinConversation",
      "editOwnUserInfo",
    ]),
    role(sids.conversationCreator, "channel admin", "conversation", [
      ...rolePermissions.conversation,
    ]),
    role(sids.conversationParticipant, "channel user", "conversation", [
      "sendMessage",
      "sendMediaMessage",
      "leaveConversation",
      "editOwnMessage",
      "editOwnMessageAttributes",
      "deleteOwnMessage",
      "editNotificationLevel",
    ]),
  ]);
}

/** A role of the service by `RL…` SID. 404 if unknown. */
export function findRole(service: ServiceRecord, sid: string): RoleRecord {
  const role = isSid(sid, "RL") ? service.roles.get(sid) : undefined;
  if (!role) throw twilioErrors.notFound(`/Roles/${sid}`);
  return role;
}

/**
 * Refuses a `RoleSid` the service does not know, or one of the wrong scope (a participant
 * needs a conversation role, a user a service role), with Twilio's 50109.
 */
export function requireRole(service: ServiceRecord, sid: string | undefined, type: RoleType) {
  if (sid === undefined) return;
  const role = service.roles.get(sid);
  if (!role || role.type !== type) throw twilioErrors.roleNotFound(sid, type);
}

function checkPermissions(type: RoleType, permissions: readonly string[]): string[] {
  if (permissions.length === 0) throw twilioErrors.missingParameter("Permission");
  const allowed = rolePermissions[type];
  const unknown = permissions.filter((permission) => !allowed.includes(permission));
  if (unknown.length > 0)
    throw twilioErrors.invalidParameter(
      "Permission",
      `${unknown.join(", ")} is not a ${type} permission (allowed: ${allowed.join(", ")})`,
    );
  return [...new Set(permissions)];
}

export interface RoleInput {
  friendlyName: string;
  type: RoleType;
  permissions: readonly string[];
}

/** Twilio's limit on a role's friendly name. */
const maximumRoleNameLength = 64;

export function createRole(
  store: EmulatorStore,
  service: ServiceRecord,
  input: RoleInput,
): RoleRecord {
  if (input.friendlyName.length > maximumRoleNameLength)
    throw twilioErrors.invalidParameter(
      "FriendlyName",
      `must be at most ${maximumRoleNameLength} characters`,
    );
  const permissions = checkPermissions(input.type, input.permissions);
  const now = store.clock.now();
  const role: RoleRecord = {
    sid: newSid("RL"),
    serviceSid: service.sid,
    friendlyName: input.friendlyName,
    type: input.type,
    permissions,
    dateCreated: now,
    dateUpdated: now,
  };
  service.roles.set(role.sid, role);
  return role;
}

/** Replaces the whole permission set, as Twilio's update does. */
export function updateRole(
  store: EmulatorStore,
  role: RoleRecord,
  permissions: readonly string[],
): RoleRecord {
  role.permissions = checkPermissions(role.type, permissions);
  role.dateUpdated = store.clock.now();
  return role;
}

/**
 * Deletes a role. A role the service configuration names as a default is refused (the
 * emulator's choice: Twilio's docs are silent, and deleting it would leave new users and
 * participants with a role that does not resolve).
 */
export function removeRole(service: ServiceRecord, role: RoleRecord): void {
  const defaults = service.configuration;
  if (
    role.sid === defaults.defaultChatServiceRoleSid ||
    role.sid === defaults.defaultConversationRoleSid ||
    role.sid === defaults.defaultConversationCreatorRoleSid
  )
    throw twilioErrors.invalidParameter(
      "Sid",
      `${role.sid} is a default role of the service configuration and cannot be deleted`,
    );
  service.roles.delete(role.sid);
}
