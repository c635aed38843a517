import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import { newSid } from "../sid.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { AddressConfigurationRecord } from "../store/records.js";
import { FormFields } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { addressConfigurationJson, conversationsBase } from "./serialize.js";

const addressTypes = [
  "sms",
  "whatsapp",
  "messenger",
  "gbm",
  "email",
  "rcs",
  "apple",
  "chat",
] as const;

function applyAutoCreation(
  fields: FormFields,
  autoCreation: AddressConfigurationRecord["autoCreation"],
): void {
  autoCreation.enabled = fields.boolean("AutoCreation.Enabled") ?? autoCreation.enabled;
  autoCreation.type =
    fields.oneOf("AutoCreation.Type", ["webhook", "studio", "default"] as const) ??
    autoCreation.type;
  autoCreation.conversation_service_sid =
    fields.string("AutoCreation.ConversationServiceSid") ?? autoCreation.conversation_service_sid;
  autoCreation.webhook_url = fields.string("AutoCreation.WebhookUrl") ?? autoCreation.webhook_url;
  const method = fields.oneOf("AutoCreation.WebhookMethod", ["GET", "POST", "get", "post"]);
  if (method !== undefined) autoCreation.webhook_method = method.toUpperCase() as "GET" | "POST";
  autoCreation.webhook_filters =
    fields.list("AutoCreation.WebhookFilters") ?? autoCreation.webhook_filters;
  autoCreation.studio_flow_sid =
    fields.string("AutoCreation.StudioFlowSid") ?? autoCreation.studio_flow_sid;
  autoCreation.studio_retry_count =
    fields.integer("AutoCreation.StudioRetryCount") ?? autoCreation.studio_retry_count;
}

/** Address Configurations: which of our addresses auto-create conversations for new senders. */
export function addressConfigurationRoutes(store: EmulatorStore): EmulatorRoute[] {
  const find = (request: EmulatorRequest) => {
    const key = request.params.addressSid!;
    const found =
      store.addresses.get(key) ??
      [...store.addresses.values()].find((address) => address.address === key);
    if (!found) throw twilioErrors.notFound(request.path);
    return found;
  };
  const checkService = (record: AddressConfigurationRecord) => {
    const sid = record.autoCreation.conversation_service_sid;
    if (sid !== null) store.service(sid);
  };
  return [
    {
      method: "POST",
      pattern: "/v1/Configuration/Addresses",
      handler: (request) => {
        const fields = new FormFields(request.form);
        fields.required("Type");
        const type = fields.oneOf("Type", addressTypes)!;
        const address = fields.required("Address");
        const now = store.clock.now();
        const record: AddressConfigurationRecord = {
          sid: newSid("IG"),
          type,
          address,
          friendlyName: fields.string("FriendlyName") ?? null,
          autoCreation: {
            enabled: false,
            type: "default",
            conversation_service_sid: null,
            webhook_url: null,
            webhook_method: null,
            webhook_filters: [],
            studio_flow_sid: null,
            studio_retry_count: null,
          },
          addressCountry: fields.string("AddressCountry") ?? null,
          dateCreated: now,
          dateUpdated: now,
        };
        applyAutoCreation(fields, record.autoCreation);
        checkService(record);
        store.addresses.set(record.sid, record);
        return { status: 201, body: addressConfigurationJson(store, record) };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Configuration/Addresses",
      handler: (request) => {
        const type = request.query.get("Type");
        const items = [...store.addresses.values()].filter(
          (address) => type === null || address.type === type,
        );
        return paginate(
          request,
          `${conversationsBase}/Configuration/Addresses`,
          "address_configurations",
          items,
          (item) => addressConfigurationJson(store, item),
          pageSizes.small,
        );
      },
    },
    {
      method: "GET",
      pattern: "/v1/Configuration/Addresses/:addressSid",
      handler: (request) => ({ status: 200, body: addressConfigurationJson(store, find(request)) }),
    },
    {
      method: "POST",
      pattern: "/v1/Configuration/Addresses/:addressSid",
      handler: (request) => {
        const record = find(request);
        const fields = new FormFields(request.form);
        record.friendlyName = fields.string("FriendlyName") ?? record.friendlyName;
        applyAutoCreation(fields, record.autoCreation);
        checkService(record);
        record.dateUpdated = store.clock.now();
        return { status: 200, body: addressConfigurationJson(store, record) };
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/Configuration/Addresses/:addressSid",
      handler: (request) => {
        store.addresses.delete(find(request).sid);
        return { status: 204 };
      },
    },
  ];
}
