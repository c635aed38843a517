import type { EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { RoleRecord } from "../store/records.js";
import { createRole, findRole, removeRole, updateRole } from "../store/role-actions.js";
import { FormFields } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { restDate } from "./twilio-date.js";

export function roleJson(store: EmulatorStore, prefix: string, role: RoleRecord) {
  return {
    sid: role.sid,
    account_sid: store.accountSid,
    chat_service_sid: role.serviceSid,
    friendly_name: role.friendlyName,
    type: role.type,
    permissions: role.permissions,
    date_created: restDate(role.dateCreated),
    date_updated: restDate(role.dateUpdated),
    url: `${prefix}/Roles/${role.sid}`,
  };
}

/**
 * Roles (`RL…`) of the default service (`/v1/Roles`) or a named one. `Permission` is a
 * repeated key; an update replaces the whole set.
 */
export function roleRoutes(store: EmulatorStore): EmulatorRoute[] {
  return inBothForms([
    {
      method: "POST",
      suffix: "/Roles",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const fields = new FormFields(request.form);
        const friendlyName = fields.required("FriendlyName");
        fields.required("Type");
        const type = fields.oneOf("Type", ["conversation", "service"] as const)!;
        const role = createRole(store, service, {
          friendlyName,
          type,
          permissions: fields.list("Permission") ?? [],
        });
        return { status: 201, body: roleJson(store, prefix, role) };
      },
    },
    {
      method: "GET",
      suffix: "/Roles",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        return paginate(
          request,
          `${prefix}/Roles`,
          "roles",
          [...service.roles.values()],
          (role) => roleJson(store, prefix, role),
          pageSizes.small,
        );
      },
    },
    {
      method: "GET",
      suffix: "/Roles/:roleSid",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        return {
          status: 200,
          body: roleJson(store, prefix, findRole(service, request.params.roleSid!)),
        };
      },
    },
    {
      method: "POST",
      suffix: "/Roles/:roleSid",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        const role = findRole(service, request.params.roleSid!);
        const permissions = new FormFields(request.form).list("Permission") ?? [];
        return { status: 200, body: roleJson(store, prefix, updateRole(store, role, permissions)) };
      },
    },
    {
      method: "DELETE",
      suffix: "/Roles/:roleSid",
      handler: (request) => {
        const { service } = serviceOf(store, request);
        removeRole(service, findRole(service, request.params.roleSid!));
        return { status: 204 };
      },
    },
  ]);
}
