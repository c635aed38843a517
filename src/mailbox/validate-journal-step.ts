import { MailboxInputError } from "./mailbox-errors.js";
import type { HandoffNote, JournaledStep } from "./mailbox-store.js";

/** Bounds of one tool journal row: a key names a step, the value is one tool's result. */
export const journalLimits = { keyLength: 512, nameLength: 256, valueBytes: 262_144 } as const;

const handoffSources = new Set(["agent", "keyword", "operator"]);

/** Checks a `noteHandoff` call; throws `MailboxInputError`. */
export function validateHandoffNote(conversationSid: unknown, note: unknown): void {
  const given = note as Partial<HandoffNote> | null;
  if (typeof conversationSid !== "string" || conversationSid === "" || conversationSid.length > 64)
    throw new MailboxInputError("conversationSid", "conversationSid: must be a conversation SID");
  if (typeof given !== "object" || given === null)
    throw new MailboxInputError("note", "note: must be an object");
  if (typeof given.reason !== "string" || given.reason === "" || given.reason.length > 1_024)
    throw new MailboxInputError("reason", "reason: must be a non-empty string of at most 1024");
  if (typeof given.source !== "string" || !handoffSources.has(given.source))
    throw new MailboxInputError("source", "source: must be agent, keyword or operator");
  if (typeof given.summary !== "string" || given.summary.length > 2_000)
    throw new MailboxInputError("summary", "summary: must be a string of at most 2000 characters");
}

/** The `limit` of `waitingForPerson`: default 100, 1 to 1000. */
export function validateWaitingLimit(limit: unknown): number {
  if (limit === undefined) return 100;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > 1_000)
    throw new MailboxInputError("limit", "limit: must be an integer from 1 to 1000");
  return limit;
}

/** A journal step checked and ready to store: its value as JSON text. */
export interface StorableJournalStep {
  key: string;
  name: string;
  value: string;
}

/**
 * Checks a `journalRecord` call and serialises the value once, so both stores refuse the same
 * input with the same error and store the same text. Throws `MailboxInputError`.
 */
export function validateJournalStep(key: unknown, step: unknown): StorableJournalStep {
  if (typeof key !== "string" || key.length === 0 || key.length > journalLimits.keyLength)
    throw new MailboxInputError(
      "key",
      `key: must be a non-empty string of at most ${journalLimits.keyLength} characters`,
    );
  const candidate = step as Partial<JournaledStep> | null;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.name !== "string" ||
    candidate.name.length === 0 ||
    candidate.name.length > journalLimits.nameLength
  )
    throw new MailboxInputError(
      "name",
      `name: must be a non-empty string of at most ${journalLimits.nameLength} characters`,
    );
  let value: string | undefined;
  try {
    // `undefined` (a tool that returns nothing) is stored as null: it still completed.
    value = JSON.stringify(candidate.value ?? null);
  } catch (error) {
    throw new MailboxInputError("value", `value: cannot be stored as JSON (${String(error)})`);
  }
  if (value === undefined) throw new MailboxInputError("value", "value: cannot be stored as JSON");
  if (Buffer.byteLength(value) > journalLimits.valueBytes)
    throw new MailboxInputError(
      "value",
      `value: is larger than ${journalLimits.valueBytes} bytes once serialised`,
    );
  return { key, name: candidate.name, value };
}
