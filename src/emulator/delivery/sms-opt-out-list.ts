import { type SmsKeywordKind, smsKeyword, smsKeywordReplies } from "./sms-keywords.js";

/** A customer who opted out of SMS with a keyword (STOP …). */
export interface SmsOptOut {
  /** The customer's number. */
  address: string;
  /** The keyword they sent, as sent. */
  keyword: string;
  /** ISO 8601, emulator clock. */
  at: string;
}

/** What one inbound SMS did to the list: its keyword kind and Twilio's reply, if any. */
export interface SmsKeywordOutcome {
  kind: SmsKeywordKind;
  /** The auto-reply for the customer's phone; absent for HELP while opted out. */
  reply?: string;
}

/**
 * Who opted out of SMS, keyed by the customer alone: the emulator's numbers share the
 * account's one Messaging Service, and Twilio applies an opt-out to every sender of the
 * Messaging Service. STOP (and synonyms) opts out, START (and synonyms) back in, HELP is
 * answered unless the customer is opted out; each answer is Twilio's default reply.
 */
export class SmsOptOutList {
  readonly #optOuts = new Map<string, SmsOptOut>();

  /** Applies a whole-message keyword; undefined when the body is not one. */
  apply(customer: string, body: string | undefined, now: number): SmsKeywordOutcome | undefined {
    const kind = smsKeyword(body);
    if (kind === undefined) return undefined;
    if (kind === "opt-out")
      this.#optOuts.set(customer, {
        address: customer,
        keyword: (body ?? "").trim(),
        at: new Date(now).toISOString(),
      });
    if (kind === "opt-in") this.#optOuts.delete(customer);
    // An opted-out number gets no HELP reply until it opts back in.
    if (kind === "help" && this.#optOuts.has(customer)) return { kind };
    return { kind, reply: smsKeywordReplies[kind] };
  }

  has(customer: string): boolean {
    return this.#optOuts.has(customer);
  }

  /** Copies of every opt-out in force, oldest first. */
  entries(): SmsOptOut[] {
    return [...this.#optOuts.values()].map((optOut) => ({ ...optOut }));
  }

  clear(): void {
    this.#optOuts.clear();
  }
}
