/**
 * The Twilio boundary's public surface: errors, configuration, address and channel rules,
 * webhook verification and parsing, and request handlers for Node, Express, Fastify and
 * Fetch. No agents and no storage live here.
 */

export {
  type Channel,
  channelOfAddress,
  channelOfMessagingBinding,
  channelOfWebhookMessage,
  type MessagingBinding,
  maskAddress,
  normalizePhoneNumber,
  toWhatsAppAddress,
} from "./channels/address.js";
export {
  type CardAction,
  type Choice,
  type ChoiceCard,
  type ChoiceList,
  type ChoiceProblem,
  type Choices,
  type QuickReplies,
  selectableChoices,
  type ValidateChoicesOptions,
  validateChoices,
  whatsAppChoiceLimits,
} from "./channels/choices.js";
export {
  type ChoicesToContentOptions,
  type ContentCreateBody,
  choicesContentKey,
  choicesToContent,
} from "./channels/choices-to-content.js";
export {
  type ConsentKeyword,
  type ConsentMatcher,
  type ConsentPhrases,
  createConsentMatcher,
  smsConsentKeyword,
  smsHelpKeywords,
  smsOptInKeywords,
  smsOptOutKeywords,
} from "./channels/consent-keywords.js";
export { markdownToPlainText } from "./channels/markdown-to-plain-text.js";
export { markdownToWhatsApp } from "./channels/markdown-to-whatsapp.js";
export {
  type ChoiceMatch,
  type PickedChoice,
  parseChoiceReply,
} from "./channels/parse-choice-reply.js";
export { gsm7Replacements, preferGsm7 } from "./channels/prefer-gsm7.js";
export { choiceReplyHint, renderChoicesAsText } from "./channels/render-choices-as-text.js";
export {
  CHAT_BODY_BYTES,
  isWhatsAppWindowOpen,
  type ShapedReply,
  type ShapeOptions,
  SMS_BODY_LIMIT,
  shapeForChannel,
  WHATSAPP_WINDOW_MS,
} from "./channels/shape-for-channel.js";
export {
  isGsm7Character,
  isGsm7Text,
  type SmsSegments,
  smsSegments,
} from "./channels/sms-segments.js";
export { type SplitMessageOptions, splitMessage } from "./channels/split-message.js";
export {
  configFromEnv,
  type TwilioProviderOptions,
  twilioEnvironmentVariables,
  type UncheckedTwilioOptions,
  validateTwilioOptions,
} from "./config.js";
export {
  parseRetryAfter,
  type TwilioErrorCodeInfo,
  type TwilioErrorContext,
  toSwitchboardError,
  twilioErrorCodes,
} from "./error-codes.js";
export {
  AddressInUseError,
  type AmbiguousSendAttempt,
  AmbiguousSendError,
  CircuitOpenError,
  ConversationClosedError,
  IdentityInUseError,
  InvalidAddressError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  SendDeadlineError,
  ServiceNotFoundError,
  StreamOverflowError,
  TwilioApiError,
  TwilioError,
  type TwilioErrorOptions,
  UniqueNameTakenError,
  WebhookEventRefusedError,
  WebhookParseError,
  WebhookPayloadTooLargeError,
  WebhookSignatureError,
} from "./errors.js";
export {
  type DeliveryErrorExplanation,
  type DeliveryErrorKind,
  deliveryErrorExplanations,
  explainDeliveryError,
} from "./explain-delivery-error.js";
export type { LogMethod, TwilioLogger } from "./logger.js";
export * from "./provider/index.js";
// Named here until the provider's own index lists it: the return type of listDeliveryReceipts.
export type { TwilioDeliveryReceipt } from "./provider/provider-types.js";
export {
  type ConversationData,
  type ConversationStateData,
  type DeliveryData,
  type MessageData,
  type MessageDraftData,
  type ParticipantData,
  type TwilioEventType,
  twilioEventTypes,
  type UserData,
  type WebhookAttributes,
  type WebhookEvent,
  type WebhookEventDataMap,
  type WebhookEventOf,
  type WebhookEventPhase,
  type WebhookEventType,
  type WebhookMedia,
  type WebhookMessagingBinding,
} from "./webhook/event-types.js";
export { createExpressWebhookMiddleware } from "./webhook/handlers/express-middleware.js";
export {
  createFastifyWebhookPlugin,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type FastifyWebhookPluginOptions,
} from "./webhook/handlers/fastify-plugin.js";
export { createFetchWebhookHandler } from "./webhook/handlers/fetch-handler.js";
export {
  handleWebhookRequest,
  type WebhookHandlerOptions,
  type WebhookResponse,
} from "./webhook/handlers/handle-webhook-request.js";
export { createNodeWebhookHandler } from "./webhook/handlers/node-handler.js";
export {
  type ParseWebhookEventOptions,
  parseWebhookEvent,
} from "./webhook/parse-webhook-event.js";
export type {
  HeaderRecord,
  ReadWebhookRequestOptions,
  WebhookInput,
  WebhookRequestParts,
} from "./webhook/read-request.js";
export {
  computeBodyHash,
  computeTwilioSignature,
  parseSignatureSettings,
  type SignatureAlgorithm,
  type SignatureFailure,
  type SignatureVerification,
  type SignedParams,
  signatureHeader,
  signatureSettingsHeader,
  type VerifyTwilioSignatureInput,
  verifyTwilioSignature,
} from "./webhook/verify-signature.js";
export {
  type WebhookEventMeta,
  webhookEventFromParams,
} from "./webhook/webhook-event-from-params.js";
