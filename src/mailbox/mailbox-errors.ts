import { SwitchboardError } from "../errors.js";

/**
 * The lease used for `complete` or `fail` is no longer current: it expired and another
 * worker claimed the conversation, or a handoff took the turn away. Nothing was written;
 * the worker must drop the turn (its result is not wanted).
 */
export class LeaseLostError extends SwitchboardError {
  readonly conversationSid: string;
  readonly leaseVersion: number;
  constructor(conversationSid: string, leaseVersion: number) {
    super(
      "lease_lost",
      `The lease on conversation ${conversationSid} (version ${leaseVersion}) is no longer held; nothing was written.`,
    );
    this.conversationSid = conversationSid;
    this.leaseVersion = leaseVersion;
  }
}

/** A value given to the mailbox is malformed or too large; nothing was written. */
export class MailboxInputError extends SwitchboardError {
  /** The offending field, e.g. `index` or `attributes`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super("invalid_mailbox_input", message);
    this.field = field;
  }
}

/** The mailbox storage cannot be opened (bad path, unwritable folder, newer schema…). */
export class MailboxOpenError extends SwitchboardError {
  readonly location: string;
  constructor(location: string, message: string, options: { cause?: unknown } = {}) {
    super("mailbox_open_failed", message, options);
    this.location = location;
  }
}

/** The mailbox was used after `close()`. */
export class MailboxClosedError extends SwitchboardError {
  constructor() {
    super("mailbox_closed", "The mailbox is closed.");
  }
}

/**
 * The SQLite mailbox's writer thread stopped while a write was being committed, so whether
 * it was stored is unknown; later writes run on the main thread. Retrying is safe: ingest
 * dedupes, and the fenced writes reject a lease that is no longer current.
 */
export class MailboxWriterStoppedError extends SwitchboardError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(
      "mailbox_writer_stopped",
      `The SQLite mailbox's writer thread stopped (${reason}); the write may not be stored.`,
      { ...options, isRetryable: true },
    );
  }
}
