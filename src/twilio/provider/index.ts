/**
 * `TwilioProvider` — the library face of switchboard: conversations, participants on SMS,
 * WhatsApp and web chat, messages with media and templates, receive streams fed by
 * webhooks, and the resilience (retries, pacing, circuit breaker) around every call.
 */
export { BoundedStream } from "./bounded-stream.js";
export type { WebhookListener } from "./event-hub.js";
export { InvalidInputError, ProviderStoppedError } from "./provider-errors.js";
export type {
  CreateConversationInput,
  ListConversationsOptions,
  ListMessagesOptions,
  MediaInput,
  ParticipantInput,
  SendMessageInput,
  StreamOptions,
  TemplateInput,
  TwilioConversation,
  TwilioConversationState,
  TwilioMessage,
  TwilioMessageMedia,
  TwilioParticipant,
  UpdateConversationInput,
} from "./provider-types.js";
export {
  createInProcessPacer,
  type InProcessPacerOptions,
  type PacingRequest,
  type RequestPacer,
} from "./request-pacer.js";
export type { ResilienceOptions, RetryEvent } from "./resilient-request-client.js";
export { TwilioProvider, type TwilioProviderConfig } from "./twilio-provider.js";
