import type twilio from "twilio";

/**
 * The post-event webhooks switchboard needs by default: new messages, delivery receipts
 * (for send outcomes), conversation state and removal, and participants joining or leaving
 * (to know who is a customer).
 */
export const defaultPostEventFilters: readonly string[] = [
  "onMessageAdded",
  "onDeliveryUpdated",
  "onConversationStateUpdated",
  "onConversationRemoved",
  "onParticipantAdded",
  "onParticipantRemoved",
];

/** The filters a Conversations *service* accepts (Twilio's list; no `onUser*`). */
export const serviceWebhookFilters: readonly string[] = [
  "onMessageAdd",
  "onMessageAdded",
  "onMessageUpdate",
  "onMessageUpdated",
  "onMessageRemove",
  "onMessageRemoved",
  "onConversationAdd",
  "onConversationAdded",
  "onConversationUpdate",
  "onConversationUpdated",
  "onConversationRemove",
  "onConversationRemoved",
  "onConversationStateUpdated",
  "onParticipantAdd",
  "onParticipantAdded",
  "onParticipantUpdate",
  "onParticipantUpdated",
  "onParticipantRemove",
  "onParticipantRemoved",
  "onDeliveryUpdated",
];

/** A service's webhook configuration as far as setup cares. */
export interface ServiceWebhookState {
  postWebhookUrl: string | null;
  /** Sorted, so two states compare by value. */
  filters: string[];
  method: string;
}

/** One address configuration as far as setup cares. */
export interface AddressConfigurationState {
  type: "sms" | "whatsapp";
  address: string;
  autoCreationEnabled: boolean;
  /** `default` uses the service's own webhooks; `webhook`/`studio` send elsewhere. */
  autoCreationType: string;
  /** `null`: the account's default Conversations service. */
  conversationServiceSid: string | null;
}

/** Where a change applies, with the state before and after it. */
export type SetupChange =
  | {
      action: "update-service-webhook" | "unchanged";
      kind: "service-webhook";
      /** The service SID. */
      target: string;
      before: ServiceWebhookState;
      after: ServiceWebhookState;
    }
  | {
      action: "create-address-configuration";
      kind: "address-configuration";
      /** The address, e.g. `+15017122661` or `whatsapp:+14155238886`. */
      target: string;
      after: AddressConfigurationState;
    }
  | {
      /**
       * `conflict`: the address auto-creates conversations in another service; it is left
       * alone unless the plan was made with `takeOverAddresses`.
       */
      action: "update-address-configuration" | "unchanged" | "conflict";
      kind: "address-configuration";
      target: string;
      /** `IG…` */
      sid: string;
      before: AddressConfigurationState;
      after: AddressConfigurationState;
    };

/** What {@link planSetup} found; give it to `applySetup` or `formatSetupPlan`. */
export interface SetupPlan {
  /** The official SDK client the plan was read with and will be applied with. */
  client: twilio.Twilio;
  serviceSid: string;
  webhookUrl: string;
  changes: SetupChange[];
}

/** Whether applying the plan would change anything. */
export function planHasChanges(plan: SetupPlan): boolean {
  return plan.changes.some(
    (change) => change.action !== "unchanged" && change.action !== "conflict",
  );
}
