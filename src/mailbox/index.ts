/**
 * The mailbox boundary: durable storage and scheduling of inbound messages, turns and
 * replies. No HTTP, no Twilio SDK.
 */
export {
  LeaseLostError,
  MailboxClosedError,
  MailboxInputError,
  MailboxOpenError,
  MailboxWriterStoppedError,
} from "./mailbox-errors.js";
export type {
  CompletedTurn,
  CompleteOptions,
  ConversationRecord,
  ConversationState,
  DeadLetter,
  FailOutcome,
  GarbageCollected,
  HistoryEntry,
  InboundMessage,
  InboundStatus,
  IngestResult,
  Lease,
  LeasedMessage,
  LockOutcome,
  MailboxChannel,
  MailboxMedia,
  MailboxOptions,
  MailboxStats,
  MailboxStore,
  MessageRole,
  OutboundReply,
  OutboxItem,
  OutboxResult,
  OutboxStatus,
  StoredInboundMessage,
  TurnPolicy,
  WorkNotice,
} from "./mailbox-store.js";
export { maxPublishBytes } from "./mailbox-store.js";
export { replyIdFor } from "./reply-id.js";
export { type SqliteMailboxOptions, sqliteMailbox } from "./sqlite-mailbox.js";
export { mailboxLimits, minimumDedupeRetentionMs } from "./validate-mailbox-input.js";
