import type { DeliveryStatus } from "../store/records.js";

/** One outbound SMS/WhatsApp delivery as the emulator's control API and inspector show it. */
export interface DeliveryEntry {
  conversationSid: string;
  /** The Conversations message (`IM…`). */
  messageSid: string;
  /** The delivery receipt (`DY…`). */
  receiptSid: string;
  /** The channel's message SID (`SM…` or `WA…`). */
  channelMessageSid: string;
  /** The customer address it went to. */
  to: string;
  /** Our address it went from. */
  from: string;
  channel: "sms" | "whatsapp";
  /** The latest status. */
  status: DeliveryStatus;
  /** Twilio's error code on `failed`/`undelivered`, else null. */
  errorCode: number | null;
  /** Every status the receipt went through, oldest first (ISO 8601 times, emulator clock). */
  history: Array<{ status: DeliveryStatus; at: string; errorCode: number | null }>;
}

/** Keeps the latest deliveries (oldest dropped past `limit`), by receipt SID. */
export class DeliveryLog {
  readonly #entries = new Map<string, DeliveryEntry>();
  readonly #limit: number;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  /** Records a status step of the receipt, creating its entry on the first one. */
  record(
    base: Omit<DeliveryEntry, "status" | "errorCode" | "history">,
    status: DeliveryStatus,
    errorCode: number,
    at: number,
  ): void {
    let entry = this.#entries.get(base.receiptSid);
    if (!entry) {
      entry = { ...base, status, errorCode: null, history: [] };
      this.#entries.set(base.receiptSid, entry);
      if (this.#entries.size > this.#limit) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    const code = errorCode === 0 ? null : errorCode;
    entry.status = status;
    entry.errorCode = code;
    entry.history.push({ status, at: new Date(at).toISOString(), errorCode: code });
  }

  /** Copies of every entry, oldest first. */
  entries(): DeliveryEntry[] {
    return [...this.#entries.values()].map((entry) => ({
      ...entry,
      history: entry.history.map((step) => ({ ...step })),
    }));
  }

  clear(): void {
    this.#entries.clear();
  }
}
