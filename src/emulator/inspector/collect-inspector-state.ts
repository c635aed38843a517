import type { BusinessNumbers } from "../business-numbers.js";
import type { ChannelDelivery } from "../delivery/channel-delivery.js";
import {
  conversationJson,
  conversationsBase,
  messageJson,
  participantJson,
} from "../rest/serialize.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { WebhookDeliveryLog } from "../webhooks/webhook-delivery-log.js";
import type { InspectorState } from "./inspector-state.js";

export interface InspectorSources {
  store: EmulatorStore;
  numbers: BusinessNumbers;
  delivery: ChannelDelivery;
  webhookLog: WebhookDeliveryLog;
}

/** The inspector's view of the running emulator: REST-shaped conversations, devices, webhooks. */
export function collectInspectorState(sources: InspectorSources): InspectorState {
  const { store } = sources;
  const conversations = [...store.allConversations()]
    .sort((a, b) => b.dateUpdated - a.dateUpdated)
    .map((conversation) => {
      const prefix =
        conversation.serviceSid === store.defaultServiceSid
          ? conversationsBase
          : `${conversationsBase}/Services/${conversation.serviceSid}`;
      return {
        conversation: conversationJson(store, prefix, conversation),
        participants: [...conversation.participants.values()].map((participant) =>
          participantJson(store, prefix, participant),
        ),
        messages: conversation.messages.map((message) => messageJson(store, prefix, message)),
      };
    });
  return {
    accountSid: store.accountSid,
    serviceSid: store.defaultServiceSid,
    numbers: { ...sources.numbers },
    conversations,
    devices: sources.delivery.devices(),
    webhooks: sources.webhookLog.entries().map((entry) => ({
      url: entry.url,
      event: entry.event,
      status: typeof entry.status === "number" ? entry.status : null,
      attempts: entry.attempts,
      ms: entry.ms,
      at: entry.at,
    })),
    deliveries: sources.delivery.deliveries(),
    optOuts: sources.delivery.optOuts(),
  };
}
