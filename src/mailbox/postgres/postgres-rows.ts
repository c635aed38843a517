import type { ConversationRow, MessageRow, OutboxRow } from "../sqlite-rows.js";

/**
 * PostgreSQL rows, normalised to the row shapes the SQLite mailbox maps to public records, so
 * both stores build `ConversationRecord`, `StoredInboundMessage` and `OutboxItem` with the same
 * code. `pg` returns `bigint` columns as strings (they may exceed 2^53 in general; ours are
 * epoch ms, indexes and counters, all safe integers), hence the `Number` conversions.
 */
type Raw = Record<string, unknown>;

const numberOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

export function conversationRowFrom(raw: Raw): ConversationRow {
  const mode = raw.policy_mode as "queue" | "burst" | "interrupt" | null;
  return {
    conversation_sid: raw.conversation_sid as string,
    service_sid: raw.service_sid as string | null,
    channel: raw.channel as ConversationRow["channel"],
    customer_address: raw.customer_address as string | null,
    proxy_address: raw.proxy_address as string | null,
    state: raw.state as ConversationRow["state"],
    policy:
      mode === null
        ? null
        : JSON.stringify(
            mode === "burst" ? { mode, windowMs: Number(raw.policy_window_ms) } : { mode },
          ),
    lease_owner: raw.lease_owner as string | null,
    lease_expires_at: numberOrNull(raw.lease_expires_at),
    lease_version: Number(raw.lease_version),
    next_attempt_at: numberOrNull(raw.next_attempt_at),
    attempts: Number(raw.attempts),
    last_error: raw.last_error as string | null,
    dead_at: numberOrNull(raw.dead_at),
    turn_message_sids:
      raw.turn_message_sids === null ? null : JSON.stringify(raw.turn_message_sids),
    last_processed_index: numberOrNull(raw.last_processed_index),
    last_index: numberOrNull(raw.last_index),
    last_inbound_at: numberOrNull(raw.last_inbound_at),
    outbox_seq: Number(raw.outbox_seq),
    pending_count: Number(raw.pending_count ?? 0),
    gone_at: numberOrNull(raw.gone_at),
    gone_reason: (raw.gone_reason ?? null) as string | null,
  };
}

export function messageRowFrom(raw: Raw): MessageRow {
  return {
    message_sid: raw.message_sid as string,
    conversation_sid: raw.conversation_sid as string,
    message_index: Number(raw.message_index),
    role: raw.role as string,
    status: raw.status as MessageRow["status"],
    record: raw.record as string,
    ingested_at: Number(raw.ingested_at),
  };
}

export function outboxRowFrom(raw: Raw): OutboxRow {
  return {
    id: Number(raw.id),
    reply_id: raw.reply_id as string,
    conversation_sid: raw.conversation_sid as string,
    seq: Number(raw.seq),
    turn_id: raw.turn_id as string,
    position: Number(raw.position),
    after_index: Number(raw.after_index),
    channel: raw.channel as OutboxRow["channel"],
    to_address: raw.to_address as string | null,
    from_address: raw.from_address as string | null,
    reply: raw.reply as string,
    status: raw.status as OutboxRow["status"],
    attempts: Number(raw.attempts),
    claim_version: Number(raw.claim_version),
    lease_owner: raw.lease_owner as string | null,
    lease_expires_at: numberOrNull(raw.lease_expires_at),
    next_attempt_at: numberOrNull(raw.next_attempt_at),
    last_error: raw.last_error as string | null,
    message_sid: raw.message_sid as string | null,
    created_at: Number(raw.created_at),
    sent_index: numberOrNull(raw.sent_index),
    last_error_throttled: raw.last_error_throttled === true,
    throttled_count: Number(raw.throttled_count ?? 0),
    last_outcome: (raw.last_outcome ?? null) as OutboxRow["last_outcome"],
    must_reconcile: raw.must_reconcile === true,
  };
}
