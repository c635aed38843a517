import type pg from "pg";
import type { Lease, WorkNotice } from "../mailbox-store.js";
import type { ResolvedMailboxOptions } from "../validate-mailbox-input.js";
import type { PostgresConnection, TransactionOptions } from "./postgres-connection.js";
import type { PostgresStatements } from "./postgres-statements.js";
import { isStorableText } from "./storable-text.js";

/** What the PostgreSQL store's method groups share once the store is open. */
export interface PostgresStoreContext {
  connection: PostgresConnection;
  sql: PostgresStatements;
  settings: ResolvedMailboxOptions;
  /** This open store; the turn and send leases it takes name it (see `instance-liveness.ts`). */
  instanceId: string;
  /** Runs a write transaction; its notices go out on commit, here and in other processes. */
  write<T>(
    work: (client: pg.PoolClient, notices: WorkNotice[]) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /** Runs a read (or a single-statement write), tracked so `close` waits for it. */
  read<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * A lease with fields of the wrong type (or text PostgreSQL cannot hold) was never handed out
 * by a store: it is treated as not held rather than sent to the database.
 */
export function isPlausibleLease(lease: Lease): boolean {
  return (
    typeof lease === "object" &&
    lease !== null &&
    typeof lease.conversationSid === "string" &&
    isStorableText(lease.conversationSid) &&
    typeof lease.workerId === "string" &&
    isStorableText(lease.workerId) &&
    Number.isSafeInteger(lease.leaseVersion) &&
    typeof lease.turnId === "string" &&
    isStorableText(lease.turnId) &&
    Number.isSafeInteger(lease.leaseMs) &&
    Array.isArray(lease.messages) &&
    lease.messages.every(
      (message) => typeof message?.messageSid === "string" && isStorableText(message.messageSid),
    )
  );
}
