/**
 * switchboard/emulator — a local Twilio Conversations that the official SDK cannot tell
 * from Twilio.
 */
export type { BusinessNumbers } from "./business-numbers.js";
export { defaultBusinessNumbers } from "./business-numbers.js";
export type { EmulatorClock } from "./clock.js";
export { createEmulatorClock } from "./clock.js";
export type {
  ContentApprovalMode,
  ContentStore,
  ContentTemplate,
  WhatsAppApproval,
  WhatsAppApprovalStatus,
} from "./content/content-store.js";
export { ControlRequestError } from "./control/control-request-error.js";
export type { Customer, CustomerOptions, CustomerSendOptions } from "./control/customer.js";
export type {
  CustomerChannel,
  CustomerInboundResult,
  CustomerMedia,
  CustomerMessage,
} from "./control/customer-inbound.js";
export type { DeviceMedia, DeviceMessage } from "./delivery/channel-delivery.js";
export { whatsappWindowErrorCode, whatsappWindowMs } from "./delivery/channel-delivery.js";
export {
  type DeliveryFailure,
  type DeliveryFailureRule,
  deliveryFailures,
} from "./delivery/delivery-failures.js";
export type { DeliveryEntry } from "./delivery/delivery-log.js";
export type { SmsOptOut } from "./delivery/sms-opt-out-list.js";
export { EmulatorRequestClient } from "./http/emulator-request-client.js";
export type { EmulatorLogger } from "./http/emulator-server.js";
export { EmulatorRestError } from "./http/rest-error.js";
export type {
  EmulatorHandler,
  EmulatorPreHook,
  EmulatorRequest,
  EmulatorResponse,
  EmulatorRoute,
} from "./http/types.js";
export type { MediaStore, StoredMedia } from "./media/media-store.js";
export { EmulatorStateError } from "./persistence/emulator-state-file.js";
export type { Emulator, StartEmulatorOptions } from "./start-emulator.js";
export { startEmulator } from "./start-emulator.js";
export type {
  ActionOrigin,
  EmulatorEvent,
  EmulatorEvents,
  EmulatorPostEventType,
  EmulatorPreEventType,
  PreEventOutcome,
} from "./store/emulator-events.js";
export type { EmulatorStore } from "./store/emulator-store.js";
export {
  type ReceivedWebhook,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhooks/start-webhook-receiver.js";
export type { WebhookDeliveryRecord } from "./webhooks/webhook-delivery-log.js";
