import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { createUser, findUser, removeUser, updateUser } from "../store/user-actions.js";
import { defined, FormFields, restOrigin } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { userJson } from "./serialize.js";

/** Users (chat identities), by `US…` SID or identity. */
export function userRoutes(store: EmulatorStore): EmulatorRoute[] {
  const input = (request: EmulatorRequest) => {
    const fields = new FormFields(request.form);
    return defined({
      identity: fields.string("Identity"),
      friendlyName: fields.string("FriendlyName"),
      attributes: fields.string("Attributes"),
      roleSid: fields.string("RoleSid"),
    });
  };
  return inBothForms([
    {
      method: "POST",
      suffix: "/Users",
      handler: async (request) => {
        const { service, prefix } = serviceOf(store, request);
        const user = await createUser(store, service, input(request), restOrigin(request));
        return { status: 201, body: userJson(store, prefix, user) };
      },
    },
    {
      method: "GET",
      suffix: "/Users",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        return paginate(
          request,
          `${prefix}/Users`,
          "users",
          [...service.users.values()],
          (user) => userJson(store, prefix, user),
          pageSizes.small,
        );
      },
    },
    {
      method: "GET",
      suffix: "/Users/:userSid",
      handler: (request) => {
        const { service, prefix } = serviceOf(store, request);
        return {
          status: 200,
          body: userJson(store, prefix, findUser(service, request.params.userSid!)),
        };
      },
    },
    {
      method: "POST",
      suffix: "/Users/:userSid",
      handler: async (request) => {
        const { service, prefix } = serviceOf(store, request);
        const { identity: _ignored, ...changes } = input(request);
        const user = await updateUser(
          store,
          findUser(service, request.params.userSid!),
          changes,
          restOrigin(request),
        );
        return { status: 200, body: userJson(store, prefix, user) };
      },
    },
    {
      method: "DELETE",
      suffix: "/Users/:userSid",
      handler: async (request) => {
        const { service } = serviceOf(store, request);
        await removeUser(store, findUser(service, request.params.userSid!));
        return { status: 204 };
      },
    },
  ]);
}
