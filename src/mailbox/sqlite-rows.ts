import type {
  ConversationRecord,
  ConversationState,
  DeadLetter,
  HistoryEntry,
  InboundMessage,
  InboundStatus,
  MailboxChannel,
  OutboundReply,
  OutboxItem,
  OutboxStatus,
  SendTryOutcome,
  StoredInboundMessage,
  TurnPolicy,
} from "./mailbox-store.js";

/** Row shapes of the SQLite schema and their mapping to the public records. */
export interface ConversationRow {
  conversation_sid: string;
  service_sid: string | null;
  channel: MailboxChannel | null;
  customer_address: string | null;
  proxy_address: string | null;
  state: ConversationState;
  policy: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_version: number;
  next_attempt_at: number | null;
  attempts: number;
  last_error: string | null;
  dead_at: number | null;
  turn_message_sids: string | null;
  last_processed_index: number | null;
  last_index: number | null;
  last_inbound_at: number | null;
  outbox_seq: number;
  pending_count: number;
  gone_at: number | null;
  gone_reason: string | null;
}

export interface MessageRow {
  message_sid: string;
  conversation_sid: string;
  message_index: number;
  role: string;
  status: InboundStatus;
  record: string;
  ingested_at: number;
}

export interface OutboxRow {
  id: number;
  reply_id: string;
  conversation_sid: string;
  seq: number;
  turn_id: string;
  position: number;
  after_index: number;
  channel: MailboxChannel | null;
  to_address: string | null;
  from_address: string | null;
  reply: string;
  status: OutboxStatus;
  attempts: number;
  claim_version: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  next_attempt_at: number | null;
  last_error: string | null;
  message_sid: string | null;
  created_at: number;
  /** The sent message's `Index`, when the sender knew it. */
  sent_index: number | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  last_error_throttled: number | boolean;
  throttled_count: number;
  last_outcome: SendTryOutcome | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  must_reconcile: number | boolean;
}

export function toConversation(
  row: ConversationRow,
  defaultPolicy: TurnPolicy,
): ConversationRecord {
  return {
    conversationSid: row.conversation_sid,
    serviceSid: row.service_sid,
    channel: row.channel,
    customerAddress: row.customer_address,
    proxyAddress: row.proxy_address,
    state: row.state,
    policy: row.policy === null ? defaultPolicy : (JSON.parse(row.policy) as TurnPolicy),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    leaseVersion: row.lease_version,
    nextAttemptAt: row.next_attempt_at,
    attempts: row.attempts,
    lastError: row.last_error,
    lastProcessedIndex: row.last_processed_index,
    lastIndex: row.last_index,
    lastInboundAt: row.last_inbound_at,
    pendingCount: row.pending_count,
    goneAt: row.gone_at ?? null,
    goneReason: row.gone_reason ?? null,
  };
}

export function toStoredMessage(row: MessageRow): StoredInboundMessage {
  const record = JSON.parse(row.record) as InboundMessage;
  return { ...record, status: row.status, ingestedAt: row.ingested_at };
}

/** The reply columns kept as one JSON document (nothing queries inside them). */
export interface StoredReply {
  body: string | null;
  media: readonly string[];
  template: OutboxItem["template"];
  attributes: Readonly<Record<string, unknown>>;
}

export function serialiseReply(reply: OutboundReply): string {
  const stored: StoredReply = {
    body: reply.body,
    media: reply.media ?? [],
    template: reply.template ?? null,
    attributes: reply.attributes ?? {},
  };
  return JSON.stringify(stored);
}

export function toOutboxItem(row: OutboxRow): OutboxItem {
  const reply = JSON.parse(row.reply) as StoredReply;
  return {
    id: row.id,
    replyId: row.reply_id,
    conversationSid: row.conversation_sid,
    turnId: row.turn_id,
    position: row.position,
    channel: row.channel,
    to: row.to_address,
    from: row.from_address,
    body: reply.body,
    media: reply.media,
    template: reply.template,
    attributes: reply.attributes,
    attempt: row.attempts,
    lastError: row.last_error,
    lastErrorThrottled: Boolean(row.last_error_throttled),
    throttledCount: row.throttled_count,
    lastOutcome: row.last_outcome,
    mustReconcile: Boolean(row.must_reconcile),
    workerId: row.lease_owner ?? "",
    claimVersion: row.claim_version,
    expiresAt: row.lease_expires_at ?? 0,
  };
}

export function toOutboundHistory(row: OutboxRow): HistoryEntry {
  const reply = JSON.parse(row.reply) as StoredReply;
  return {
    direction: "outbound",
    replyId: row.reply_id,
    turnId: row.turn_id,
    afterIndex: row.after_index,
    body: reply.body,
    media: reply.media,
    template: reply.template,
    attributes: reply.attributes ?? {},
    status: row.status,
    messageSid: row.message_sid,
    createdAt: row.created_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

/** The message SIDs of the conversation's last claimed turn (stored as JSON). */
export function turnMessageSids(row: Pick<ConversationRow, "turn_message_sids">): string[] {
  return row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]);
}

/** A dead conversation's row as the `DeadLetter` operators see. */
export function toDeadLetter(row: ConversationRow): DeadLetter {
  return {
    conversationSid: row.conversation_sid,
    reason: row.last_error ?? "",
    attempts: row.attempts,
    deadAt: row.dead_at ?? 0,
    messageSids: turnMessageSids(row),
  };
}
