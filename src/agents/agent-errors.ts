import { SwitchboardError } from "../errors.js";

/**
 * An agent answered something that is not a {@link Reply}: the runtime cannot send it.
 * Not retryable: the same code will answer the same way; the turn dead-letters with this
 * message as its visible reason.
 */
export class InvalidReplyError extends SwitchboardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("invalid_agent_reply", message, options);
  }
}

/**
 * The FAQ agent's knowledge could not be read or holds no questions. Thrown when the agent
 * is created, so a bad path fails at startup rather than on the first customer message.
 */
export class KnowledgeError extends SwitchboardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("invalid_knowledge", message, options);
  }
}

/**
 * The language model gave no usable answer (empty text, no handoff). Retryable: models
 * are not deterministic, and the runtime's backoff may get a real answer next time.
 */
export class EmptyModelReplyError extends SwitchboardError {
  constructor(message: string) {
    super("empty_model_reply", message, { isRetryable: true });
  }
}

/**
 * The tool journal could not be read or written (for the mailbox: most often because this
 * worker lost the conversation's lease). The turn stops at once — no further tool runs —
 * and its reply is discarded; another worker re-runs it and replays what was journaled.
 * Retryable for that reason.
 */
export class ToolJournalError extends SwitchboardError {
  /** The idempotency key of the step whose result could not be read or recorded. */
  readonly key: string;
  constructor(key: string, message: string, options: { cause?: unknown } = {}) {
    super("tool_journal_failed", message, { ...options, isRetryable: true });
    this.key = key;
  }
}

/**
 * Inbound media the runtime will not hand over: larger than allowed or of a type it does
 * not accept. Not retryable: the same media fails the same way; agents should say they
 * could not open the attachment rather than fail the turn.
 */
export class MediaRejectedError extends SwitchboardError {
  constructor(message: string) {
    super("media_rejected", message);
  }
}
