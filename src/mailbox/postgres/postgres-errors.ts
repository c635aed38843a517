import { SwitchboardError } from "../../errors.js";

/** Where the PostgreSQL mailbox connects to, without the password: safe to log and show. */
export interface DatabaseTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** `host:port/database as user`, for messages. Never contains the password. */
export function describeTarget(target: DatabaseTarget): string {
  return `${target.host}:${target.port}, database "${target.database}" as user "${target.user}"`;
}

/**
 * The PostgreSQL mailbox lost its database while running and could not get it back within its
 * retries, or a write's commit was interrupted so its outcome is unknown. Retryable: nothing
 * acknowledged was lost, and repeating the call later is safe (ingest answers `duplicate` if
 * the first try did commit).
 */
export class MailboxUnavailableError extends SwitchboardError {
  readonly target: DatabaseTarget;
  constructor(target: DatabaseTarget, message: string, options: { cause?: unknown } = {}) {
    super("mailbox_unavailable", message, { ...options, isRetryable: true });
    this.target = target;
  }
}
