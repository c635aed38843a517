/**
 * The emulator's webhook engine: who receives an event, what it carries, and how it is
 * signed, sent, retried and logged — Twilio's side of Conversations webhooks.
 *
 * Wiring into the REST emulator, for one action (here a message create):
 *
 * ```ts
 * const dispatcher = createWebhookDispatcher({ authToken, now: clock.now, faults: webhookFaults, log });
 *
 * // In the handler, after validation and before writing anything:
 * const fire = restActionFiresWebhooks(request.headers["x-twilio-webhook-enabled"]);
 * const context = { accountSid, chatServiceSid, source: "API", messagingServiceSid };
 * const sources = { account, service, conversationWebhooks, messageBody: draft.body };
 * if (fire) {
 *   const pre = await dispatcher.deliverPre(
 *     resolveWebhookTargets("onMessageAdd", sources),
 *     messageEventParams("onMessageAdd", draft, context),
 *   );
 *   if (pre.outcome === "reject") return sendError(...); // store nothing, no post-event
 *   if (pre.outcome === "modify") applyChanges(draft, pre.changes); // body, author, attributes…
 * }
 * const message = store.createMessage(draft);
 * if (fire)
 *   void dispatcher.deliverPost(
 *     resolveWebhookTargets("onMessageAdded", sources),
 *     messageEventParams("onMessageAdded", message, context),
 *   );
 * ```
 *
 * Inbound SMS/WhatsApp/SDK actions do the same with `source: "SMS" | "WHATSAPP" | "SDK"`
 * and always fire. `GET /_emulator/webhooks` shows `log.entries()` (see
 * `../faults/fault-control-routes.ts`). On emulator close, `await dispatcher.close()`.
 */
export { computeSignature, type SignatureParams } from "./compute-signature.js";
export {
  conversationEventParams,
  conversationStateUpdatedParams,
  deliveryUpdatedParams,
  type EventContext,
  type EventParamsOptions,
  eventStreamsMediaKeys,
  flattenParams,
  type MediaKeys,
  messageEventParams,
  participantEventParams,
  type StateChangeReason,
  userEventParams,
  type WebhookParams,
  type WebhookSource,
  webhookDate,
  webhookMediaKeys,
} from "./event-params.js";
export {
  type ConversationEventType,
  isPreEventType,
  isWebhookEventType,
  type MessageEventType,
  type ParticipantEventType,
  type PostEventType,
  type PreEventType,
  postEventTypes,
  preEventTypes,
  restActionFiresWebhooks,
  type UserEventType,
  type WebhookEventType,
} from "./event-types.js";
export type {
  ConversationRecord,
  DeliveryReceiptRecord,
  MediaRecord,
  MessageRecord,
  MessagingBindingRecord,
  ParticipantRecord,
  RecordDate,
  UserRecord,
} from "./rest-records.js";
export { sendWebhookRequest, type WebhookAttemptResult } from "./send-webhook-request.js";
export {
  type ReceivedWebhook,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./start-webhook-receiver.js";
export {
  createWebhookDeliveryLog,
  type WebhookDeliveryLog,
  type WebhookDeliveryRecord,
} from "./webhook-delivery-log.js";
export {
  createWebhookDispatcher,
  type PreEventOutcome,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
} from "./webhook-dispatcher.js";
export {
  type AccountWebhookConfigurationRecord,
  type AddressAutoCreationRecord,
  type ConversationWebhookRecord,
  resolveWebhookTargets,
  type ServiceWebhookConfigurationRecord,
  type WebhookLevel,
  type WebhookTarget,
  type WebhookTargetSources,
} from "./webhook-targets.js";
