// Over 400 lines on purpose: the public surface is named export by export (src/public-api.test.ts
// shows every change).
/**
 * switchboard — one AI agent on every Twilio Conversations channel.
 *
 * The library's public surface, named one by one: a change here is a change to the API, and
 * `src/public-api.test.ts` shows it in review. Importing it loads no database driver (the
 * SQLite one loads when a mailbox opens). What pulls heavy dependencies lives at subpaths:
 * `switchboard/postgres` (pg), `switchboard/service` (the composed service, its faces and
 * metrics), `switchboard/emulator` and `switchboard/testing`.
 */

// ── Agents ───────────────────────────────────────────────────────────────────────────────
export {
  EmptyModelReplyError,
  InvalidReplyError,
  KnowledgeError,
  MediaRejectedError,
  ToolJournalError,
} from "./agents/agent-errors.js";
export { type AiSdkAgentOptions, aiSdkAgent } from "./agents/ai-sdk-agent.js";
export { boundHistory, type HistoryBounds } from "./agents/bound-history.js";
export { idempotencyKeyOf } from "./agents/durable-ai-turn.js";
export {
  type DurableStepInfo,
  durableStep,
  runJournaled,
  turnIdOf,
} from "./agents/durable-step.js";
export { type FaqAgentOptions, faqAgent } from "./agents/faq-agent.js";
export { type AgentFunction, functionAgent } from "./agents/function-agent.js";
export {
  boundedMediaReader,
  defaultMediaLimits,
  isAllowedContentType,
  type MediaLimits,
  type MediaSource,
  mediaKind,
  validateMediaLimits,
} from "./agents/media.js";
export {
  type ModelChoice,
  modelFromSetting,
  type ParsedModelSetting,
  parseModelSetting,
} from "./agents/model-from-setting.js";
export { type Knowledge, type KnowledgeEntry, parseKnowledge } from "./agents/parse-knowledge.js";
export { sampleKnowledgePath } from "./agents/sample-knowledge-path.js";
export {
  type ExtractiveSummaryOptions,
  extractiveHandoffSummary,
  type HandoffSummaryOptions,
  summarizeForHandoff,
} from "./agents/summarize-for-handoff.js";
export {
  type InMemoryToolJournal,
  inMemoryToolJournal,
  type JournalEntry,
  type ToolJournal,
} from "./agents/tool-journal.js";
export type {
  Agent,
  AgentContext,
  ConversationInfo,
  HandbackInfo,
  HandoffReply,
  HistoryMessage,
  HistoryRole,
  InboundMedia,
  MessageReply,
  Reply,
  ReplyMedia,
  ReplyTemplate,
  SkipReply,
  Turn,
  TurnMessage,
} from "./agents/types.js";

// ── Channels: what a channel carries, and the choices a reply may offer ──────────────────
export {
  type CardAction,
  type Channel,
  type ChannelCapabilities,
  type Choice,
  type ChoiceCard,
  type ChoiceList,
  type Choices,
  channels,
  defaultChannelCapabilities,
  describeChannelCapabilities,
  isChannel,
  type QuickReplies,
} from "./channel/index.js";

// ── Configuration file and errors ────────────────────────────────────────────────────────
export {
  type BusinessHours,
  type BusinessHoursOptions,
  businessHours,
  type Weekday,
  weekdays,
} from "./config/business-hours.js";
export {
  type ChannelsConfig,
  type DatabaseConfig,
  defineConfig,
  type SwitchboardConfig,
  type WebchatCustomerConfig,
  type WorkersConfig,
} from "./config/switchboard-config.js";
export { ConfigError, SwitchboardError } from "./errors.js";
// ── Serving a switchboard over HTTP ──────────────────────────────────────────────────────
export type { NodeHandler } from "./http/listen-http.js";
export type { HealthReport } from "./http/router.js";
export {
  createSwitchboardHandler,
  type ServableSwitchboard,
  type ServedSwitchboard,
  serveSwitchboard,
} from "./http/serve-switchboard.js";
// ── Logging and tracing ──────────────────────────────────────────────────────────────────
export {
  createLogger,
  type Logger,
  type LoggerOptions,
} from "./log/create-logger.js";
export {
  type CustomerAddress,
  type CustomerAddressKind,
  type CustomerAddressRecord,
  type CustomerDeleted,
  type CustomerHandoffHolder,
  type CustomerHistoryEntry,
  type CustomerLinkOutcome,
  type CustomerLinkSource,
  type CustomerRecord,
  type CustomerSummary,
  customerLimits,
  type MailboxCustomers,
} from "./mailbox/mailbox-customers.js";
// ── Mailbox (the SQLite store; PostgreSQL is at `switchboard/postgres`) ───────────────────
export {
  LeaseLostError,
  MailboxClosedError,
  MailboxInputError,
  MailboxOpenError,
  MailboxWriterStoppedError,
} from "./mailbox/mailbox-errors.js";
export type {
  ActiveConversationsOptions,
  CompletedTurn,
  CompleteOptions,
  ConsentChange,
  ConsentReason,
  ConsentRecord,
  ConsentState,
  ConversationRecord,
  ConversationState,
  DeadLetter,
  DeliveryRecord,
  DeliveryRecordOutcome,
  DeliveryStatus,
  DeliveryUpdate,
  FailOutcome,
  GarbageCollected,
  HandoffNote,
  HistoryEntry,
  InboundDeadLetter,
  InboundDeadLetterInput,
  InboundMessage,
  InboundStatus,
  IngestResult,
  JournaledStep,
  KnownConversation,
  Lease,
  LeasedMessage,
  LockOutcome,
  MailboxChannel,
  MailboxInboundDeadLetters,
  MailboxLedger,
  MailboxMedia,
  MailboxOptions,
  MailboxStore,
  MessageRole,
  OutboundReply,
  OutboxItem,
  OutboxResult,
  OutboxStatus,
  StoredInboundMessage,
  StoredTranscript,
  TurnContext,
  TurnContextOptions,
  TurnPolicy,
  WaitingConversation,
  WorkNotice,
} from "./mailbox/mailbox-store.js";
export { type SqliteMailboxOptions, sqliteMailbox } from "./mailbox/sqlite-mailbox.js";

// ── Runtime ──────────────────────────────────────────────────────────────────────────────
export type { CatchUpResult } from "./runtime/catch-up.js";
export type { ApprovedChoiceTemplate } from "./runtime/choice-templates.js";
export type { SwitchboardConsentOptions } from "./runtime/consent-policy.js";
export {
  createSwitchboard,
  type Switchboard,
  type SwitchboardHealth,
} from "./runtime/create-switchboard.js";
export type { SwitchboardCustomerOptions } from "./runtime/customer-options.js";
export type { LiveEvent, LiveEventName, LiveEventSource } from "./runtime/live-events.js";
export { replyIdAttribute } from "./runtime/reply-attributes.js";
export type { SwitchboardWebhook } from "./runtime/resolve-webhook.js";
export type {
  RuntimeListedConversation,
  RuntimeListedMessage,
  RuntimeOutgoingMessage,
  RuntimeParticipant,
  RuntimeProvider,
} from "./runtime/runtime-provider.js";
export {
  type CustomerLinkVouch,
  type SwitchboardCustomers,
  UnknownCustomerError,
} from "./runtime/switchboard-customers.js";
export type {
  SwitchboardEventMap,
  SwitchboardEventName,
  SwitchboardEventSource,
} from "./runtime/switchboard-events.js";
export type {
  SwitchboardCatchUpOptions,
  SwitchboardChannelOptions,
  SwitchboardOptions,
  SwitchboardWebhookOptions,
  SwitchboardWorkerOptions,
} from "./runtime/switchboard-options.js";
export { attributeKeys, type SpanAttributes, type SpanName } from "./telemetry/span-attributes.js";
export { contextFromTraceparent, currentTraceparent } from "./telemetry/traceparent.js";
export { tracerName } from "./telemetry/with-span.js";

// ── Twilio: channels ─────────────────────────────────────────────────────────────────────
export {
  channelOfAddress,
  channelOfMessagingBinding,
  channelOfWebhookMessage,
  type MessagingBinding,
  maskAddress,
  normalizePhoneNumber,
  toWhatsAppAddress,
} from "./twilio/channels/address.js";
export {
  type ChoiceProblem,
  selectableChoices,
  type ValidateChoicesOptions,
  validateChoices,
  whatsAppChoiceLimits,
} from "./twilio/channels/choices.js";
export {
  type ChoicesToContentOptions,
  type ContentCreateBody,
  choicesContentKey,
  choicesToContent,
} from "./twilio/channels/choices-to-content.js";
export {
  type ConsentKeyword,
  type ConsentMatcher,
  type ConsentPhrases,
  createConsentMatcher,
  smsConsentKeyword,
  smsHelpKeywords,
  smsOptInKeywords,
  smsOptOutKeywords,
} from "./twilio/channels/consent-keywords.js";
export { markdownToPlainText } from "./twilio/channels/markdown-to-plain-text.js";
export { markdownToWhatsApp } from "./twilio/channels/markdown-to-whatsapp.js";
export {
  type ChoiceMatch,
  type PickedChoice,
  parseChoiceReply,
} from "./twilio/channels/parse-choice-reply.js";
export { preferGsm7 } from "./twilio/channels/prefer-gsm7.js";
export { choiceReplyHint, renderChoicesAsText } from "./twilio/channels/render-choices-as-text.js";
export {
  CHAT_BODY_BYTES,
  isWhatsAppWindowOpen,
  type ShapedReply,
  type ShapeOptions,
  SMS_BODY_LIMIT,
  shapeForChannel,
  WHATSAPP_WINDOW_MS,
} from "./twilio/channels/shape-for-channel.js";
export {
  isGsm7Character,
  isGsm7Text,
  type SmsSegments,
  smsSegments,
} from "./twilio/channels/sms-segments.js";
export { type SplitMessageOptions, splitMessage } from "./twilio/channels/split-message.js";

// ── Twilio: provider, configuration, errors ─────────────────────────────────────────────
export {
  configFromEnv,
  type TwilioProviderOptions,
  twilioEnvironmentVariables,
  type UncheckedTwilioOptions,
  validateTwilioOptions,
} from "./twilio/config.js";
export {
  parseRetryAfter,
  type TwilioErrorCodeInfo,
  type TwilioErrorContext,
  toSwitchboardError,
  twilioErrorCodes,
} from "./twilio/error-codes.js";
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
} from "./twilio/errors.js";
export {
  type DeliveryErrorExplanation,
  type DeliveryErrorKind,
  deliveryErrorExplanations,
  explainDeliveryError,
} from "./twilio/explain-delivery-error.js";
export type { LogMethod, TwilioLogger } from "./twilio/logger.js";
export { BoundedStream } from "./twilio/provider/bounded-stream.js";
export type { WebhookListener } from "./twilio/provider/event-hub.js";
export { InvalidInputError, ProviderStoppedError } from "./twilio/provider/provider-errors.js";
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
  TwilioDeliveryReceipt,
  TwilioMessage,
  TwilioMessageMedia,
  TwilioParticipant,
  UpdateConversationInput,
} from "./twilio/provider/provider-types.js";
export {
  createInProcessPacer,
  type InProcessPacerOptions,
  type PacingRequest,
  type RequestPacer,
} from "./twilio/provider/request-pacer.js";
export type { ResilienceOptions, RetryEvent } from "./twilio/provider/resilient-request-client.js";
export { TwilioProvider, type TwilioProviderConfig } from "./twilio/provider/twilio-provider.js";
// ── Twilio: pointing a service at switchboard (`switchboard setup`) ────────────────────
export { type ApplySetupOptions, applySetup } from "./twilio/setup/apply-setup.js";
export { type FormatSetupPlanOptions, formatSetupPlan } from "./twilio/setup/format-setup-plan.js";
export { type PlanSetupOptions, planSetup } from "./twilio/setup/plan-setup.js";
export {
  type AddressConfigurationState,
  defaultPostEventFilters,
  planHasChanges,
  type ServiceWebhookState,
  type SetupChange,
  type SetupPlan,
  serviceWebhookFilters,
} from "./twilio/setup/setup-plan.js";
// ── Twilio: webhooks ─────────────────────────────────────────────────────────────────────
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
} from "./twilio/webhook/event-types.js";
export { createExpressWebhookMiddleware } from "./twilio/webhook/handlers/express-middleware.js";
export {
  createFastifyWebhookPlugin,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type FastifyWebhookPluginOptions,
} from "./twilio/webhook/handlers/fastify-plugin.js";
export { createFetchWebhookHandler } from "./twilio/webhook/handlers/fetch-handler.js";
export {
  handleWebhookRequest,
  type WebhookHandlerOptions,
  type WebhookResponse,
} from "./twilio/webhook/handlers/handle-webhook-request.js";
export { createNodeWebhookHandler } from "./twilio/webhook/handlers/node-handler.js";
export {
  type ParseWebhookEventOptions,
  parseWebhookEvent,
} from "./twilio/webhook/parse-webhook-event.js";
export type {
  HeaderRecord,
  ReadWebhookRequestOptions,
  WebhookInput,
  WebhookRequestParts,
} from "./twilio/webhook/read-request.js";
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
} from "./twilio/webhook/verify-signature.js";
export {
  type WebhookEventMeta,
  webhookEventFromParams,
} from "./twilio/webhook/webhook-event-from-params.js";
// ── Web chat: the application vouches for a visitor ──────────────────────────────────────
export { signVisitorIdentity } from "./webchat/signed-identity.js";
