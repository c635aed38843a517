import type { ToolJournal } from "../agents/tool-journal.js";
import { LeaseLostError } from "../mailbox/mailbox-errors.js";
import type { Lease, MailboxStore } from "../mailbox/mailbox-store.js";

/**
 * The agent's {@link ToolJournal} for one turn, kept in the mailbox under the turn's lease:
 * `record` is fenced, so once this worker lost the lease it throws `LeaseLostError` and the
 * agent stops the turn (its tools cannot run again behind the new holder's back).
 */
export function mailboxToolJournal(mailbox: MailboxStore, lease: Lease): ToolJournal {
  return {
    get: (key) => mailbox.journalGet(lease, key),
    record: (key, entry) => mailbox.journalRecord(lease, key, entry),
  };
}

/**
 * True when `error` is (or was caused by) a lost lease — directly, or wrapped by an agent
 * (`ToolJournalError`) or a model SDK. The turn then belongs to another holder: its reply is
 * discarded and nothing is written for it.
 */
export function isLeaseLoss(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof LeaseLostError) return true;
    current = current.cause;
  }
  return false;
}
