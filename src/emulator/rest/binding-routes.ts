import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import { bindingTypes, findBinding } from "../store/binding-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { BindingRecord } from "../store/records.js";
import { pageSizes, paginate } from "./paginate.js";
import { conversationsBase } from "./serialize.js";
import { restDate } from "./twilio-date.js";

export function bindingJson(store: EmulatorStore, binding: BindingRecord) {
  return {
    sid: binding.sid,
    account_sid: store.accountSid,
    chat_service_sid: binding.serviceSid,
    credential_sid: binding.credentialSid,
    date_created: restDate(binding.dateCreated),
    date_updated: restDate(binding.dateUpdated),
    endpoint: binding.endpoint,
    identity: binding.identity,
    binding_type: binding.bindingType,
    message_types: binding.messageTypes,
    url: `${conversationsBase}/Services/${binding.serviceSid}/Bindings/${binding.sid}`,
  };
}

/**
 * Push bindings (`BS…`) of a service: list (filtered by repeated `BindingType` and
 * `Identity`), fetch, delete. They come into being when a client registers for push
 * (`POST /_emulator/bindings` here).
 */
export function bindingRoutes(store: EmulatorStore): EmulatorRoute[] {
  return [
    {
      method: "GET",
      pattern: "/v1/Services/:serviceSid/Bindings",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        const types = request.query.getAll("BindingType");
        for (const type of types)
          if (!(bindingTypes as readonly string[]).includes(type))
            throw twilioErrors.invalidParameter(
              "BindingType",
              `must be one of ${bindingTypes.join(", ")}`,
            );
        const identities = request.query.getAll("Identity");
        const items = [...service.bindings.values()].filter(
          (binding) =>
            (types.length === 0 || types.includes(binding.bindingType)) &&
            (identities.length === 0 || identities.includes(binding.identity)),
        );
        return paginate(
          request,
          `${conversationsBase}/Services/${service.sid}/Bindings`,
          "bindings",
          items,
          (binding) => bindingJson(store, binding),
          pageSizes.standard,
        );
      },
    },
    {
      method: "GET",
      pattern: "/v1/Services/:serviceSid/Bindings/:bindingSid",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        return {
          status: 200,
          body: bindingJson(store, findBinding(service, request.params.bindingSid!)),
        };
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/Services/:serviceSid/Bindings/:bindingSid",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        service.bindings.delete(findBinding(service, request.params.bindingSid!).sid);
        return { status: 204 };
      },
    },
  ];
}
