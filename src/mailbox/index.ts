/**
 * The mailbox boundary: durable storage and scheduling of inbound messages, turns and
 * replies. No HTTP, no Twilio SDK.
 */

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
} from "./mailbox-customers.js";
export {
  LeaseLostError,
  MailboxClosedError,
  MailboxInputError,
  MailboxOpenError,
  MailboxWriterStoppedError,
} from "./mailbox-errors.js";
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
  MailboxStats,
  MailboxStore,
  MessageRole,
  OutboundReply,
  OutboxItem,
  OutboxResult,
  OutboxStatus,
  SendTryOutcome,
  StoredInboundMessage,
  TurnContext,
  TurnContextOptions,
  TurnPolicy,
  WaitingConversation,
  WorkNotice,
} from "./mailbox-store.js";
export { maxPublishBytes } from "./mailbox-store.js";
export { replyIdFor } from "./reply-id.js";
export { type SqliteMailboxOptions, sqliteMailbox } from "./sqlite-mailbox.js";
export { mailboxLimits, minimumDedupeRetentionMs } from "./validate-mailbox-input.js";
