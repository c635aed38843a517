import type { LeaseKey } from "./core/turn-rules.js";
import type { CommittedNotice } from "./core/work-notices.js";
import type {
  CustomerAddress,
  CustomerDeleted,
  CustomerLinkOutcome,
  CustomerLinkSource,
  CustomerRecord,
} from "./mailbox-customers.js";
import type {
  CompletedTurn,
  ConsentChange,
  ConsentRecord,
  DeliveryRecordOutcome,
  DeliveryUpdate,
  FailOutcome,
  GarbageCollected,
  HandoffNote,
  InboundDeadLetterInput,
  IngestResult,
  Lease,
  MailboxChannel,
  MessageRole,
  OutboxItem,
  OutboxResult,
  StoredTranscript,
  TurnPolicy,
} from "./mailbox-store.js";

export type { LeaseKey } from "./core/turn-rules.js";

/**
 * Every write of the SQLite mailbox as plain data, so it can be handed to the writer thread
 * (structured clone) as well as run in this one. Validation happens before a write is built.
 */
export type SqliteWrite =
  | {
      kind: "ingest";
      messageSid: string;
      idempotencyToken: string | null;
      conversationSid: string;
      index: number;
      role: MessageRole;
      serviceSid: string | null;
      channel: MailboxChannel;
      customerAddress: string | null;
      proxyAddress: string | null;
      dateCreated: number;
      /** The whole `InboundMessage` as JSON, serialised by the caller's thread. */
      record: string;
    }
  | { kind: "claim"; workerId: string; max: number; leaseMs: number }
  | { kind: "heartbeat"; lease: LeaseKey; leaseMs: number }
  | { kind: "release"; lease: LeaseKey }
  | {
      kind: "complete";
      lease: LeaseKey;
      turnId: string;
      messages: { messageSid: string; index: number }[];
      /** Replies already serialised with `serialiseReply`. */
      replies: string[];
      handoff: boolean;
    }
  | { kind: "fail"; lease: LeaseKey; reason: string; retryAt: number }
  | { kind: "retryDeadLetter"; conversationSid: string }
  | { kind: "skipDeadLetter"; conversationSid: string }
  | { kind: "claimOutbox"; workerId: string; max: number; leaseMs: number }
  | { kind: "settleOutbox"; id: number; claimVersion: number; result: OutboxResult }
  | { kind: "startSendAttempt"; id: number; claimVersion: number; deadline: number }
  | {
      kind: "enqueueReply";
      conversationSid: string;
      replyId: string;
      turnId: string;
      /** Serialised with `serialiseReply`. */
      reply: string;
      /** Filled into the conversation where it knows nothing yet. */
      known?: { channel: string; customerAddress: string; proxyAddress: string | null };
    }
  | { kind: "setPolicy"; conversationSid: string; policy: string }
  | { kind: "setHandoff"; conversationSid: string; on: boolean }
  | { kind: "markGone"; conversationSid: string; reason: string }
  | { kind: "setMeta"; key: string; value: string }
  | { kind: "saveTranscripts"; messageSid: string; transcripts: StoredTranscript[] }
  | { kind: "collectGarbage"; olderThanMs: number }
  | { kind: "recordDelivery"; update: DeliveryUpdate }
  | { kind: "setConsent"; change: ConsentChange }
  | { kind: "recordInboundDeadLetter"; letter: InboundDeadLetterInput }
  | { kind: "noteHandoffReleased"; conversationSid: string; by: string }
  | {
      kind: "ensureCustomer";
      address: CustomerAddress;
      source: CustomerLinkSource;
      /** The id a new customer gets (made on the caller's thread). */
      newId: string;
    }
  | {
      kind: "linkAddress";
      customerId: string;
      address: CustomerAddress;
      source: CustomerLinkSource;
    }
  | { kind: "unlinkAddress"; address: CustomerAddress }
  | { kind: "mergeCustomers"; intoId: string; fromId: string }
  | { kind: "setCustomerHandoff"; customerId: string; conversationSid: string | null }
  | { kind: "deleteCustomer"; customerId: string }
  | {
      kind: "noteHandoff";
      conversationSid: string;
      reason: string;
      source: string;
      summary: string;
    }
  | {
      kind: "journalRecord";
      lease: LeaseKey;
      turnId: string;
      key: string;
      name: string;
      /** The value as JSON text (validated and serialised by the caller's thread). */
      value: string;
    };

/** What each kind of write resolves to. */
export interface SqliteWriteResults {
  ingest: IngestResult;
  claim: Lease[];
  heartbeat: boolean;
  release: boolean;
  complete: CompletedTurn;
  fail: FailOutcome;
  retryDeadLetter: boolean;
  skipDeadLetter: boolean;
  claimOutbox: OutboxItem[];
  settleOutbox: boolean;
  startSendAttempt: boolean;
  enqueueReply: "queued" | "duplicate";
  setPolicy: undefined;
  setHandoff: undefined;
  markGone: boolean;
  setMeta: undefined;
  saveTranscripts: number;
  collectGarbage: GarbageCollected;
  recordDelivery: DeliveryRecordOutcome;
  setConsent: ConsentRecord;
  recordInboundDeadLetter: boolean;
  journalRecord: undefined;
  noteHandoff: HandoffNote;
  noteHandoffReleased: boolean;
  ensureCustomer: CustomerRecord;
  linkAddress: CustomerLinkOutcome;
  unlinkAddress: boolean;
  mergeCustomers: CustomerRecord | null;
  setCustomerHandoff: boolean;
  deleteCustomer: CustomerDeleted | null;
}

export type { CommittedNotice } from "./core/work-notices.js";

/** The result of one write and the hints it owes the listeners after its commit. */
export interface AppliedWrite {
  value: SqliteWriteResults[SqliteWrite["kind"]];
  notices: CommittedNotice[];
}

/** The store settings writes depend on (everything but the clock, which stays with the caller). */
export interface SqliteWriteSettings {
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
  dedupeRetentionMs: number;
}
