/**
 * switchboard — one AI agent on every Twilio Conversations channel.
 *
 * The public surface of the library. The emulator lives at `switchboard/emulator` and
 * the test kit at `switchboard/testing`.
 */

export * from "./agents/index.js";
export { type FaceEventSource, liveEventSource } from "./cli/live-event-source.js";
export {
  createProviderWebchatDeps,
  type ProviderWebchatDepsOptions,
  type WebchatProvider,
} from "./cli/provider-webchat-deps.js";
export {
  createRuntimeConsoleDeps,
  type RuntimeConsoleDepsOptions,
} from "./cli/runtime-console-deps.js";
export * from "./config/index.js";
export * from "./console/index.js";
export { ConfigError, SwitchboardError } from "./errors.js";
export {
  type AppHandlerOptions,
  createAppHandler,
  type MountedFace,
  type ReadinessCheck,
} from "./http/index.js";
export {
  createLogger,
  fullNumbersVariable,
  type Logger,
  type LoggerOptions,
  maskPhoneNumbersInText,
  redactedValue,
  redactUrlCredentials,
  sanitizeLogValue,
} from "./log/index.js";
export {
  type CompletedTurn,
  type CompleteOptions,
  type ConversationRecord,
  type ConversationState,
  type DeadLetter,
  type FailOutcome,
  type GarbageCollected,
  type HistoryEntry,
  type InboundMessage,
  type InboundStatus,
  type IngestResult,
  type Lease,
  type LeasedMessage,
  LeaseLostError,
  type MailboxChannel,
  MailboxClosedError,
  MailboxInputError,
  type MailboxMedia,
  MailboxOpenError,
  type MailboxOptions,
  type MailboxStore,
  type MessageRole,
  mailboxLimits,
  minimumDedupeRetentionMs,
  type OutboundReply,
  type OutboxItem,
  type OutboxResult,
  type OutboxStatus,
  replyIdFor,
  type SqliteMailboxOptions,
  type StoredInboundMessage,
  sqliteMailbox,
  type TurnPolicy,
  type WorkNotice,
} from "./mailbox/index.js";
export {
  type DatabaseTarget,
  defaultPostgresSchema,
  MailboxUnavailableError,
  type MigratePostgresOptions,
  type MigrationReport,
  migratePostgres,
  type PostgresConnectionOptions,
  type PostgresMailboxOptions,
  postgresMailbox,
  postgresMigrations,
} from "./mailbox/postgres/index.js";
export * from "./metrics/index.js";
export {
  type CatchUpResult,
  catchUpMetaKey,
  createSwitchboard,
  type RuntimeListedConversation,
  type RuntimeListedMessage,
  type RuntimeOutgoingMessage,
  type RuntimeProvider,
  replyIdAttribute,
  type Switchboard,
  type SwitchboardCatchUpOptions,
  type SwitchboardChannelOptions,
  type SwitchboardEventMap,
  type SwitchboardEventName,
  type SwitchboardEventSource,
  type SwitchboardOptions,
  type SwitchboardWebhookOptions,
  type SwitchboardWorkerOptions,
} from "./runtime/index.js";
export * from "./telemetry/index.js";
// `Channel` is declared identically by agents (which may not import Twilio) and twilio;
// naming one explicitly settles the ambiguity of the two star exports.
export type { Channel } from "./twilio/index.js";
export * from "./twilio/index.js";
export * from "./twilio/setup/index.js";
export * from "./webchat/index.js";
