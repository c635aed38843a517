import type { EmulatorRoute } from "../http/types.js";
import { bindingJson } from "../rest/binding-routes.js";
import { bindingTypes, registerBinding } from "../store/binding-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { BindingType } from "../store/records.js";
import { ControlRequestError } from "./control-request-error.js";
import { optionalString, readControlJson, requiredString } from "./read-control-json.js";

/**
 * `POST /_emulator/bindings` with `{"identity", "bindingType", "endpoint"?, "credentialSid"?,
 * "messageTypes"?, "serviceSid"?}`: registers a push binding as a client SDK would (Twilio
 * has no REST create), answering the binding's REST JSON with 201.
 */
export function createBindingControlRoutes(store: EmulatorStore): EmulatorRoute[] {
  return [
    {
      method: "POST",
      pattern: "/_emulator/bindings",
      handler: (request) => {
        try {
          const body = readControlJson(request);
          const bindingType = requiredString(body, "bindingType");
          if (!(bindingTypes as readonly string[]).includes(bindingType))
            throw new ControlRequestError(
              400,
              "invalid_field",
              `"bindingType" must be one of ${bindingTypes.join(", ")}`,
            );
          const messageTypes = body.messageTypes;
          if (
            messageTypes !== undefined &&
            (!Array.isArray(messageTypes) ||
              !messageTypes.every((item) => typeof item === "string"))
          )
            throw new ControlRequestError(
              400,
              "invalid_field",
              '"messageTypes" must be an array of strings',
            );
          const serviceSid = optionalString(body, "serviceSid");
          if (serviceSid !== undefined && !store.services.has(serviceSid))
            throw new ControlRequestError(404, "not_found", `No service ${serviceSid}`);
          const endpoint = optionalString(body, "endpoint");
          const credentialSid = optionalString(body, "credentialSid");
          if (credentialSid !== undefined && !store.credentials.has(credentialSid))
            throw new ControlRequestError(404, "not_found", `No credential ${credentialSid}`);
          const binding = registerBinding(store, store.service(serviceSid), {
            identity: requiredString(body, "identity"),
            bindingType: bindingType as BindingType,
            ...(endpoint === undefined ? {} : { endpoint }),
            ...(credentialSid === undefined ? {} : { credentialSid }),
            ...(messageTypes === undefined ? {} : { messageTypes: messageTypes as string[] }),
          });
          return { status: 201, body: bindingJson(store, binding) };
        } catch (error) {
          if (error instanceof ControlRequestError) return error.toResponse();
          throw error;
        }
      },
    },
  ];
}
