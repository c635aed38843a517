import type {
  ConsentReason,
  ConsentRecord,
  ConsentState,
  DeliveryRecord,
  DeliveryStatus,
  MailboxChannel,
} from "./mailbox-store.js";

/** A `deliveries` row as either driver returns it (PostgreSQL may give numbers as strings). */
export interface DeliveryRow {
  message_sid: string;
  conversation_sid: string;
  status: string;
  error_code: number | string | null;
  channel: string | null;
  updated_at: number | string;
  recorded_at: number | string;
}

/** A `consent` row as either driver returns it. */
export interface ConsentRow {
  address: string;
  state: string;
  reason: string;
  detail: string | null;
  changed_at: number | string;
}

export function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    messageSid: row.message_sid,
    conversationSid: row.conversation_sid,
    status: row.status as DeliveryStatus,
    errorCode: row.error_code === null ? null : Number(row.error_code),
    channel: row.channel as MailboxChannel | null,
    updatedAt: Number(row.updated_at),
    recordedAt: Number(row.recorded_at),
  };
}

export function toConsentRecord(row: ConsentRow): ConsentRecord {
  return {
    address: row.address,
    state: row.state as ConsentState,
    reason: row.reason as ConsentReason,
    detail: row.detail,
    changedAt: Number(row.changed_at),
  };
}

/** The most delivery records `deliveries` returns. */
export const deliveriesLimit = 500;
