/**
 * The runtime boundary: the switchboard itself — webhooks into the mailbox, turns through
 * the agent, replies out through the provider, and catch-up after downtime.
 */
export { type CatchUpResult, catchUpMetaKey } from "./catch-up.js";
export {
  createSwitchboard,
  type Switchboard,
  type SwitchboardHealth,
} from "./create-switchboard.js";
export type { SwitchboardCustomerOptions } from "./customer-options.js";
export { type FaceEventSource, liveEventSource } from "./live-event-source.js";
export {
  type LiveEvent,
  type LiveEventName,
  type LiveEventSource,
  liveEventNames,
  liveEventsChannel,
} from "./live-events.js";
export { replyIdAttribute } from "./reply-attributes.js";
export type { SwitchboardWebhook } from "./resolve-webhook.js";
export type {
  RuntimeListedConversation,
  RuntimeListedMessage,
  RuntimeOutgoingMessage,
  RuntimeParticipant,
  RuntimeProvider,
} from "./runtime-provider.js";
export {
  type CustomerLinkVouch,
  type SwitchboardCustomers,
  UnknownCustomerError,
} from "./switchboard-customers.js";
export type {
  SwitchboardEventMap,
  SwitchboardEventName,
  SwitchboardEventSource,
} from "./switchboard-events.js";
export type {
  SwitchboardCatchUpOptions,
  SwitchboardChannelOptions,
  SwitchboardOptions,
  SwitchboardWebhookOptions,
  SwitchboardWorkerOptions,
} from "./switchboard-options.js";
