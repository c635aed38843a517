import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRoute } from "../http/types.js";
import { newSid } from "../sid.js";
import { createServiceRecord, type EmulatorStore } from "../store/emulator-store.js";
import type { WebhookSettings } from "../store/records.js";
import { requireRole } from "../store/role-actions.js";
import { FormFields } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { conversationsBase, serviceJson } from "./serialize.js";

/** Applies `PreWebhookUrl`, `PostWebhookUrl`, `Filters` and `Method` to webhook settings. */
export function applyWebhookSettings(fields: FormFields, settings: WebhookSettings): void {
  const pre = fields.string("PreWebhookUrl");
  if (pre !== undefined) settings.preWebhookUrl = pre === "" ? null : pre;
  const post = fields.string("PostWebhookUrl");
  if (post !== undefined) settings.postWebhookUrl = post === "" ? null : post;
  const filters = fields.list("Filters");
  if (filters !== undefined) settings.filters = filters.filter((filter) => filter !== "");
  const method = fields.oneOf("Method", ["GET", "POST", "get", "post"]);
  if (method !== undefined) settings.method = method.toUpperCase() as "GET" | "POST";
}

/** Services, service Configuration and service Configuration/Webhooks. */
export function serviceRoutes(store: EmulatorStore): EmulatorRoute[] {
  const serviceUrl = (sid: string) => `${conversationsBase}/Services/${sid}`;
  const configurationJson = (sid: string) => {
    const service = store.service(sid);
    const url = `${serviceUrl(sid)}/Configuration`;
    return {
      chat_service_sid: sid,
      default_conversation_creator_role_sid:
        service.configuration.defaultConversationCreatorRoleSid,
      default_conversation_role_sid: service.configuration.defaultConversationRoleSid,
      default_chat_service_role_sid: service.configuration.defaultChatServiceRoleSid,
      url,
      links: { notifications: `${url}/Notifications`, webhooks: `${url}/Webhooks` },
      reachability_enabled: service.configuration.reachabilityEnabled,
    };
  };
  const webhooksJson = (sid: string) => {
    const { webhooks } = store.service(sid);
    return {
      account_sid: store.accountSid,
      chat_service_sid: sid,
      pre_webhook_url: webhooks.preWebhookUrl,
      post_webhook_url: webhooks.postWebhookUrl,
      filters: webhooks.filters,
      method: webhooks.method,
      url: `${serviceUrl(sid)}/Configuration/Webhooks`,
    };
  };
  return [
    {
      method: "POST",
      pattern: "/v1/Services",
      handler: (request) => {
        const friendlyName = new FormFields(request.form).required("FriendlyName");
        const service = createServiceRecord(newSid("IS"), friendlyName, store.clock.now());
        store.services.set(service.sid, service);
        return { status: 201, body: serviceJson(store, service) };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Services",
      handler: (request) =>
        paginate(
          request,
          `${conversationsBase}/Services`,
          "services",
          [...store.services.values()],
          (service) => serviceJson(store, service),
          pageSizes.standard,
        ),
    },
    {
      method: "GET",
      pattern: "/v1/Services/:serviceSid",
      handler: (request) => ({
        status: 200,
        body: serviceJson(store, store.service(request.params.serviceSid)),
      }),
    },
    {
      method: "DELETE",
      pattern: "/v1/Services/:serviceSid",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        if (service.sid === store.configuration.defaultChatServiceSid)
          throw twilioErrors.invalidParameter(
            "Sid",
            "the default conversation service cannot be deleted",
          );
        for (const conversation of service.conversations.values()) {
          store.timers.get(conversation.sid)?.();
          store.timers.delete(conversation.sid);
        }
        store.services.delete(service.sid);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Services/:serviceSid/Configuration",
      handler: (request) => ({
        status: 200,
        body: configurationJson(store.service(request.params.serviceSid).sid),
      }),
    },
    {
      method: "POST",
      pattern: "/v1/Services/:serviceSid/Configuration",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        const fields = new FormFields(request.form);
        const configuration = service.configuration;
        // A default must be one of the service's roles of the right scope (50109 otherwise).
        requireRole(service, fields.string("DefaultConversationCreatorRoleSid"), "conversation");
        requireRole(service, fields.string("DefaultConversationRoleSid"), "conversation");
        requireRole(service, fields.string("DefaultChatServiceRoleSid"), "service");
        configuration.defaultConversationCreatorRoleSid =
          fields.string("DefaultConversationCreatorRoleSid") ??
          configuration.defaultConversationCreatorRoleSid;
        configuration.defaultConversationRoleSid =
          fields.string("DefaultConversationRoleSid") ?? configuration.defaultConversationRoleSid;
        configuration.defaultChatServiceRoleSid =
          fields.string("DefaultChatServiceRoleSid") ?? configuration.defaultChatServiceRoleSid;
        configuration.reachabilityEnabled =
          fields.boolean("ReachabilityEnabled") ?? configuration.reachabilityEnabled;
        return { status: 200, body: configurationJson(service.sid) };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Services/:serviceSid/Configuration/Webhooks",
      handler: (request) => ({
        status: 200,
        body: webhooksJson(store.service(request.params.serviceSid).sid),
      }),
    },
    {
      method: "POST",
      pattern: "/v1/Services/:serviceSid/Configuration/Webhooks",
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        applyWebhookSettings(new FormFields(request.form), service.webhooks);
        return { status: 200, body: webhooksJson(service.sid) };
      },
    },
  ];
}
