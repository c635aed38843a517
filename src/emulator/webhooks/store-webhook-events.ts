import type {
  EmulatorEvent,
  EmulatorEvents,
  EmulatorPostEventType,
  EmulatorPreEventType,
  PreEventOutcome,
} from "../store/emulator-events.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { participantForAuthor } from "../store/message-actions.js";
import type { MediaInfo } from "../store/records.js";
import { eventRestRecords } from "../store/webhook-records.js";
import {
  conversationEventParams,
  conversationStateUpdatedParams,
  deliveryUpdatedParams,
  type EventContext,
  messageEventParams,
  participantEventParams,
  userEventParams,
  type WebhookParams,
} from "./event-params.js";
import type { ConversationRecord, MessageRecord, ParticipantRecord } from "./rest-records.js";
import type { WebhookDispatcher } from "./webhook-dispatcher.js";
import { resolveWebhookTargets, type WebhookTargetSources } from "./webhook-targets.js";

/**
 * The store's event sink that turns state changes into Twilio webhooks: it finds the
 * configured targets (account, service, conversation-scoped), builds the exact parameter
 * set and hands it to the dispatcher. Events of REST calls without
 * `X-Twilio-Webhook-Enabled: true` send nothing. A pre-event rejection aborts the action.
 */
export function createStoreWebhookEvents(
  store: EmulatorStore,
  dispatcher: WebhookDispatcher,
): EmulatorEvents {
  return {
    async pre(event) {
      if (!event.webhookEnabled) return undefined;
      const params = preEventParams(store, event);
      if (!params) return undefined;
      const targets = resolveWebhookTargets(event.type, targetSources(store, event, params));
      if (targets.length === 0) return undefined;
      const decided = await dispatcher.deliverPre(targets, params);
      return toOutcome(event.type, decided);
    },
    post(event) {
      if (!event.webhookEnabled) return;
      const params = postEventParams(store, event);
      if (!params) return;
      const targets = resolveWebhookTargets(event.type, targetSources(store, event, params));
      if (targets.length === 0) return;
      return dispatcher.deliverPost(targets, params);
    },
  };
}

function toOutcome(
  type: EmulatorPreEventType,
  decided: Awaited<ReturnType<WebhookDispatcher["deliverPre"]>>,
): PreEventOutcome {
  if (decided.outcome === "modify") return { modify: decided.changes };
  if (decided.outcome !== "reject") return undefined;
  // Twilio answers the caller with an error when a pre-event hook refuses; the exact code
  // is not documented, so the message names the hook and its status.
  const status = decided.status >= 400 && decided.status < 600 ? decided.status : 400;
  return {
    reject: {
      status,
      body: {
        code: 20001,
        message: `The ${type} pre-event webhook rejected this action (HTTP ${decided.status})`,
        more_info: "https://www.twilio.com/docs/errors/20001",
        status,
      },
    },
  };
}

function context(event: EmulatorEvent): EventContext {
  return {
    accountSid: event.accountSid,
    chatServiceSid: event.serviceSid,
    source: event.source,
    ...(event.clientIdentity === undefined ? {} : { clientIdentity: event.clientIdentity }),
    ...(event.conversation ? { messagingServiceSid: event.conversation.messagingServiceSid } : {}),
  };
}

function targetSources(
  store: EmulatorStore,
  event: EmulatorEvent,
  params: WebhookParams,
): WebhookTargetSources {
  const account = store.webhooks;
  const service = store.services.get(event.serviceSid);
  return {
    account: {
      method: account.method,
      filters: account.filters,
      pre_webhook_url: account.preWebhookUrl,
      post_webhook_url: account.postWebhookUrl,
      target: account.target,
    },
    ...(service
      ? {
          service: {
            method: service.webhooks.method,
            filters: service.webhooks.filters,
            pre_webhook_url: service.webhooks.preWebhookUrl,
            post_webhook_url: service.webhooks.postWebhookUrl,
          },
        }
      : {}),
    conversationWebhooks: event.conversation
      ? [...event.conversation.webhooks.values()].map((webhook) => ({
          sid: webhook.sid,
          target: webhook.target,
          configuration: webhook.configuration,
        }))
      : [],
    messageBody: params.Body ?? null,
  };
}

/** Parameters of a pre-event: the proposed record built from the event's `changes`. */
function preEventParams(
  store: EmulatorStore,
  event: EmulatorEvent<EmulatorPreEventType>,
): WebhookParams | undefined {
  const records = eventRestRecords(store, event);
  const changes = event.changes ?? {};
  const now = store.clock.now();
  const eventContext = context(event);
  switch (event.type) {
    case "onMessageAdd": {
      if (!event.conversation) return undefined;
      const author = String(changes.author ?? "system");
      const draft: MessageRecord = {
        sid: "",
        account_sid: store.accountSid,
        conversation_sid: event.conversation.sid,
        index: event.conversation.nextIndex,
        author,
        body: (changes.body as string | null | undefined) ?? null,
        media: (changes.media as MediaInfo[] | null | undefined) ?? null,
        attributes: String(changes.attributes ?? "{}"),
        participant_sid: participantForAuthor(event.conversation, author)?.sid ?? null,
        date_created: now,
        date_updated: null,
      };
      return messageEventParams(event.type, draft, eventContext);
    }
    case "onMessageUpdate":
    case "onMessageRemove":
      return records.message
        ? messageEventParams(
            event.type,
            { ...records.message, ...messageChanges(changes) },
            eventContext,
          )
        : undefined;
    case "onConversationAdd": {
      const draft: ConversationRecord = {
        sid: "",
        account_sid: store.accountSid,
        chat_service_sid: event.serviceSid,
        messaging_service_sid: store.configuration.defaultMessagingServiceSid,
        friendly_name: (changes.friendly_name as string | null | undefined) ?? null,
        unique_name: (changes.unique_name as string | null | undefined) ?? null,
        attributes: String(changes.attributes ?? "{}"),
        state: (changes.state as ConversationRecord["state"] | undefined) ?? "active",
        date_created: now,
        date_updated: now,
      };
      const { binding, messageBody } = autoCreationOf(changes);
      return conversationEventParams(event.type, draft, eventContext, binding, messageBody);
    }
    case "onConversationUpdate":
    case "onConversationRemove":
      return records.conversation
        ? conversationEventParams(event.type, { ...records.conversation, ...changes }, eventContext)
        : undefined;
    case "onParticipantAdd": {
      if (!event.conversation) return undefined;
      const service = store.services.get(event.serviceSid);
      const draft: ParticipantRecord = {
        sid: "",
        account_sid: store.accountSid,
        conversation_sid: event.conversation.sid,
        identity: (changes.identity as string | null | undefined) ?? null,
        attributes: String(changes.attributes ?? "{}"),
        messaging_binding:
          (changes.messaging_binding as Record<string, string> | null | undefined) ?? null,
        role_sid: service?.configuration.defaultConversationRoleSid ?? null,
        date_created: now,
        date_updated: now,
      };
      return participantEventParams(event.type, draft, eventContext);
    }
    case "onParticipantUpdate":
    case "onParticipantRemove":
      return records.participant
        ? participantEventParams(event.type, { ...records.participant, ...changes }, eventContext)
        : undefined;
    case "onUserUpdate":
      return records.user
        ? userEventParams(event.type, { ...records.user, ...changes }, eventContext)
        : undefined;
  }
}

/** The inbound sender's binding and message body of an auto-created conversation's events. */
function autoCreationOf(changes: Record<string, unknown>): {
  binding: Record<string, string> | undefined;
  messageBody: string | undefined;
} {
  const binding = changes.messaging_binding as Record<string, string> | null | undefined;
  const messageBody = changes.message_body;
  return {
    binding: binding ?? undefined,
    messageBody: typeof messageBody === "string" ? messageBody : undefined,
  };
}

function messageChanges(changes: Record<string, unknown>): Partial<MessageRecord> {
  const result: Partial<MessageRecord> = {};
  if (typeof changes.body === "string") result.body = changes.body;
  if (typeof changes.author === "string") result.author = changes.author;
  if (typeof changes.attributes === "string") result.attributes = changes.attributes;
  return result;
}

function postEventParams(
  store: EmulatorStore,
  event: EmulatorEvent<EmulatorPostEventType>,
): WebhookParams | undefined {
  const records = eventRestRecords(store, event);
  const eventContext = context(event);
  switch (event.type) {
    case "onMessageAdded":
    case "onMessageUpdated":
    case "onMessageRemoved":
      return records.message
        ? messageEventParams(event.type, records.message, eventContext)
        : undefined;
    case "onConversationAdded": {
      if (!records.conversation) return undefined;
      const { binding, messageBody } = autoCreationOf(event.changes ?? {});
      return conversationEventParams(
        event.type,
        records.conversation,
        eventContext,
        binding,
        messageBody,
      );
    }
    case "onConversationUpdated":
    case "onConversationRemoved":
      return records.conversation
        ? conversationEventParams(event.type, records.conversation, eventContext)
        : undefined;
    case "onConversationStateUpdated":
      return records.conversation && event.stateChange
        ? conversationStateUpdatedParams(
            records.conversation,
            { ...event.stateChange, at: store.clock.now() },
            eventContext,
          )
        : undefined;
    case "onParticipantAdded":
    case "onParticipantUpdated":
    case "onParticipantRemoved":
      return records.participant
        ? participantEventParams(event.type, records.participant, eventContext)
        : undefined;
    case "onDeliveryUpdated":
      return records.receipt ? deliveryUpdatedParams(records.receipt, eventContext) : undefined;
    case "onUserAdded":
    case "onUserUpdated":
      return records.user ? userEventParams(event.type, records.user, eventContext) : undefined;
  }
}
