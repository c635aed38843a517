import type { EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { checkTimer, timerMinimums } from "../store/validation.js";
import { FormFields } from "./form-fields.js";
import { conversationsBase } from "./serialize.js";
import { applyWebhookSettings } from "./service-routes.js";

/** The account's Configuration (default service and timers) and Configuration/Webhooks. */
export function accountConfigurationRoutes(store: EmulatorStore): EmulatorRoute[] {
  const configurationJson = () => ({
    account_sid: store.accountSid,
    default_chat_service_sid: store.configuration.defaultChatServiceSid,
    default_messaging_service_sid: store.configuration.defaultMessagingServiceSid,
    default_inactive_timer: store.configuration.defaultInactiveTimer,
    default_closed_timer: store.configuration.defaultClosedTimer,
    url: `${conversationsBase}/Configuration`,
    links: {
      service: `${conversationsBase}/Services/${store.configuration.defaultChatServiceSid}/Configuration`,
      webhooks: `${conversationsBase}/Configuration/Webhooks`,
    },
  });
  const webhooksJson = () => ({
    account_sid: store.accountSid,
    method: store.webhooks.method,
    filters: store.webhooks.filters,
    pre_webhook_url: store.webhooks.preWebhookUrl,
    post_webhook_url: store.webhooks.postWebhookUrl,
    target: store.webhooks.target,
    url: `${conversationsBase}/Configuration/Webhooks`,
  });
  return [
    {
      method: "GET",
      pattern: "/v1/Configuration",
      handler: () => ({ status: 200, body: configurationJson() }),
    },
    {
      method: "POST",
      pattern: "/v1/Configuration",
      handler: (request) => {
        const fields = new FormFields(request.form);
        const serviceSid = fields.string("DefaultChatServiceSid");
        if (serviceSid !== undefined)
          store.configuration.defaultChatServiceSid = store.service(serviceSid).sid;
        const messagingServiceSid = fields.string("DefaultMessagingServiceSid");
        if (messagingServiceSid !== undefined)
          store.configuration.defaultMessagingServiceSid = messagingServiceSid;
        const inactive = fields.string("DefaultInactiveTimer");
        if (inactive !== undefined)
          store.configuration.defaultInactiveTimer =
            inactive === ""
              ? null
              : checkTimer(
                  "DefaultInactiveTimer",
                  inactive,
                  timerMinimums.inactive.ms,
                  timerMinimums.inactive.text,
                );
        const closed = fields.string("DefaultClosedTimer");
        if (closed !== undefined)
          store.configuration.defaultClosedTimer =
            closed === ""
              ? null
              : checkTimer(
                  "DefaultClosedTimer",
                  closed,
                  timerMinimums.closed.ms,
                  timerMinimums.closed.text,
                );
        return { status: 200, body: configurationJson() };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Configuration/Webhooks",
      handler: () => ({ status: 200, body: webhooksJson() }),
    },
    {
      method: "POST",
      pattern: "/v1/Configuration/Webhooks",
      handler: (request) => {
        const fields = new FormFields(request.form);
        applyWebhookSettings(fields, store.webhooks);
        store.webhooks.target =
          fields.oneOf("Target", ["webhook", "flex"] as const) ?? store.webhooks.target;
        return { status: 200, body: webhooksJson() };
      },
    },
  ];
}
