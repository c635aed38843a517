import type { WebhookLevel } from "./webhook-targets.js";

/** One webhook delivery (all attempts to one target), as `GET /_emulator/webhooks` shows it. */
export interface WebhookDeliveryRecord {
  /** Log id, `WD1`, `WD2`, … in delivery order. */
  id: string;
  url: string;
  method: "GET" | "POST";
  event: string;
  level: WebhookLevel;
  /**
   * The last attempt's HTTP status, `"timeout"` (no full answer in time), `"error"`
   * (connection failed), `"dropped"` (a `drop` fault: never attempted), or `"pending"` while
   * attempts are still running or held.
   */
  status: number | "timeout" | "error" | "dropped" | "pending";
  /** Attempts made so far (1 when the first one succeeded). */
  attempts: number;
  /** Duration of the last attempt in milliseconds. */
  ms: number;
  /** When the delivery was created (ISO 8601, emulator clock). */
  at: string;
  idempotencyToken: string;
  /** Injected delivery faults that affected it (`duplicate`, `drop`, `delay`, `reorder`). */
  faults: string[];
  /** For pre-events: what the answer did to the action. */
  outcome?: "proceed" | "modify" | "reject";
}

/** A capped, in-memory delivery log; the oldest entries drop out first. */
export interface WebhookDeliveryLog {
  /** Adds a record and returns it; later changes to the object show in `entries()`. */
  add(record: WebhookDeliveryRecord): WebhookDeliveryRecord;
  /** Records, oldest first (copies). */
  entries(): WebhookDeliveryRecord[];
  /** A fresh log id. */
  nextId(): string;
  clear(): void;
}

export function createWebhookDeliveryLog(limit = 1000): WebhookDeliveryLog {
  let records: WebhookDeliveryRecord[] = [];
  let sequence = 0;
  return {
    add(record) {
      records.push(record);
      if (records.length > limit) records = records.slice(records.length - limit);
      return record;
    },
    entries: () => records.map((record) => ({ ...record, faults: [...record.faults] })),
    nextId: () => `WD${++sequence}`,
    clear() {
      records = [];
    },
  };
}
