import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import { newSid } from "../sid.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { ConversationWebhookRecord } from "../store/records.js";
import { FormFields } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { conversationWebhookJson } from "./serialize.js";

/** Twilio's cap on webhooks per conversation. */
export const maximumConversationWebhooks = 5;

function configurationFrom(
  fields: FormFields,
  previous: Record<string, unknown>,
): Record<string, unknown> {
  const configuration = { ...previous };
  const url = fields.string("Configuration.Url");
  if (url !== undefined) configuration.url = url;
  const method = fields.oneOf("Configuration.Method", ["GET", "POST", "get", "post"]);
  if (method !== undefined) configuration.method = method.toUpperCase();
  const filters = fields.list("Configuration.Filters");
  if (filters !== undefined) configuration.filters = filters;
  const triggers = fields.list("Configuration.Triggers");
  if (triggers !== undefined) configuration.triggers = triggers;
  const flowSid = fields.string("Configuration.FlowSid");
  if (flowSid !== undefined) configuration.flow_sid = flowSid;
  const replayAfter = fields.integer("Configuration.ReplayAfter");
  if (replayAfter !== undefined) configuration.replay_after = replayAfter;
  return configuration;
}

/** Conversation-scoped webhooks (`target` webhook, trigger or studio; at most 5). */
export function conversationWebhookRoutes(store: EmulatorStore): EmulatorRoute[] {
  const base = "/Conversations/:conversationSid/Webhooks";
  const locate = (request: EmulatorRequest) => {
    const { service, prefix } = serviceOf(store, request);
    return { prefix, conversation: store.conversation(service, request.params.conversationSid!) };
  };
  const find = (request: EmulatorRequest) => {
    const { prefix, conversation } = locate(request);
    const webhook = conversation.webhooks.get(request.params.webhookSid!);
    if (!webhook) throw twilioErrors.notFound(request.path);
    return { prefix, conversation, webhook };
  };
  return inBothForms([
    {
      method: "POST",
      suffix: base,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        const fields = new FormFields(request.form);
        fields.required("Target");
        const target = fields.oneOf("Target", ["webhook", "trigger", "studio"] as const)!;
        if (conversation.webhooks.size >= maximumConversationWebhooks)
          throw twilioErrors.tooManyConversationWebhooks();
        const configuration = configurationFrom(fields, {});
        if (target !== "studio" && configuration.url === undefined)
          throw twilioErrors.missingParameter("Configuration.Url");
        if (target === "studio" && configuration.flow_sid === undefined)
          throw twilioErrors.missingParameter("Configuration.FlowSid");
        if (target === "webhook" && configuration.method === undefined)
          configuration.method = "POST";
        const now = store.clock.now();
        const webhook: ConversationWebhookRecord = {
          sid: newSid("WH"),
          conversationSid: conversation.sid,
          target,
          configuration,
          dateCreated: now,
          dateUpdated: now,
        };
        conversation.webhooks.set(webhook.sid, webhook);
        return { status: 201, body: conversationWebhookJson(store, prefix, webhook) };
      },
    },
    {
      method: "GET",
      suffix: base,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        return paginate(
          request,
          `${prefix}/Conversations/${conversation.sid}/Webhooks`,
          "webhooks",
          [...conversation.webhooks.values()],
          (item) => conversationWebhookJson(store, prefix, item),
          pageSizes.conversationWebhooks,
        );
      },
    },
    {
      method: "GET",
      suffix: `${base}/:webhookSid`,
      handler: (request) => {
        const { prefix, webhook } = find(request);
        return { status: 200, body: conversationWebhookJson(store, prefix, webhook) };
      },
    },
    {
      method: "POST",
      suffix: `${base}/:webhookSid`,
      handler: (request) => {
        const { prefix, webhook } = find(request);
        webhook.configuration = configurationFrom(
          new FormFields(request.form),
          webhook.configuration,
        );
        webhook.dateUpdated = store.clock.now();
        return { status: 200, body: conversationWebhookJson(store, prefix, webhook) };
      },
    },
    {
      method: "DELETE",
      suffix: `${base}/:webhookSid`,
      handler: (request) => {
        const { conversation, webhook } = find(request);
        conversation.webhooks.delete(webhook.sid);
        return { status: 204 };
      },
    },
  ]);
}
