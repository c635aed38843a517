import pg from "pg";
import { ConfigError } from "../../errors.js";
import { MailboxClosedError, MailboxInputError } from "../mailbox-errors.js";
import type { PostgresConnectionOptions } from "./open-postgres-pool.js";
import { planPostgresPool } from "./open-postgres-pool.js";
import { createPostgresConnection } from "./postgres-connection.js";
import { defaultPostgresSchema, openMigratedPool, validateSchemaName } from "./postgres-schema.js";
import { isStorableText } from "./storable-text.js";

/**
 * One action against a budget: the same shape as `PacingRequest` of the Twilio boundary
 * (declared here so storage never imports Twilio code; the types are structurally equal, so
 * a `PostgresPacer` is a `RequestPacer`).
 */
export interface PacedAction {
  scope: "conversation" | "service" | "sender";
  key: string;
}

/** Options of {@link postgresPacer}: a connection (yours or its own) and the budgets. */
export type PostgresPacerOptions = PostgresConnectionOptions & {
  /** The mailbox schema to keep the budget in (the pacer's table is one of its migrations). */
  schema?: string;
  /** Apply pending migrations on start (default true), as `postgresMailbox` does. */
  migrate?: boolean;
  /** Actions per second per conversation, across every instance. Default 30 (Twilio's limit). */
  conversationActionsPerSecond?: number;
  /** Conversation creates/deletes per second per service, across instances. Default 30. */
  serviceActionsPerSecond?: number;
  /** Messages per second per sender number; off by default (see `createInProcessPacer`). */
  senderMessagesPerSecond?: number;
  /**
   * The clock, epoch ms. Every instance's clock must agree (NTP keeps hosts within a few ms,
   * which shifts a window by that much); tests share one controllable clock.
   */
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** How long granted actions are kept before a sweep removes them. Default 60 000 ms. */
  keepGrantsMs?: number;
};

/** A shared pacer; `close` ends its pool if it opened one. */
export interface PostgresPacer {
  /**
   * Resolves when the action may proceed, waiting as long as needed; rejects with the
   * signal's reason if the signal aborts first, and with `MailboxInputError` for a malformed
   * request (nothing is written).
   */
  acquire(request: PacedAction, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const windowMs = 1000;
const maxKeyLength = 256;

/**
 * A `RequestPacer` whose budget lives in PostgreSQL, so any number of instances together stay
 * under Twilio's limits: the same sliding one-second window per key as the in-process pacer,
 * but every grant is a row, and the check-and-grant runs under a transaction-scoped advisory
 * lock on the key (so two instances never both take the last slot). A full window answers with
 * the exact wait until its oldest grant leaves it. Costs one short transaction per action.
 *
 * ```ts
 * const pacer = await postgresPacer({ connectionString: process.env.DATABASE_URL! });
 * const provider = new TwilioProvider({ ..., pacer });
 * ```
 */
export async function postgresPacer(options: PostgresPacerOptions): Promise<PostgresPacer> {
  const limits: Record<PacedAction["scope"], number | undefined> = {
    conversation: limit(options.conversationActionsPerSecond ?? 30, "conversationActionsPerSecond"),
    service: limit(options.serviceActionsPerSecond ?? 30, "serviceActionsPerSecond"),
    sender: limit(options.senderMessagesPerSecond, "senderMessagesPerSecond"),
  };
  const keepGrantsMs = options.keepGrantsMs ?? 60_000;
  if (!Number.isFinite(keepGrantsMs) || keepGrantsMs < windowMs)
    throw new ConfigError("keepGrantsMs", "keepGrantsMs must be at least 1000 (ms).");
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepUnlessAborted;
  const schema = validateSchemaName(options.schema ?? defaultPostgresSchema);
  const table = `${pg.escapeIdentifier(schema)}.pacer_grants`;
  const opened = await openMigratedPool(
    planPostgresPool(options),
    schema,
    options.migrate !== false,
  );
  const connection = createPostgresConnection(opened.pool, opened.target, opened.ownsPool);
  let closed = false;
  let lastSweep = now();

  /** Takes a slot if the window has one: 0, else how long until the oldest grant leaves it. */
  const tryGrant = (key: string, budget: number) =>
    connection.transaction(
      async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
          `switchboard:${schema}:pacer:${key}`,
        ]);
        // Read the clock only once the key is ours, so grants of one key are in clock order.
        const at = now();
        const window = await client.query<{ granted: number; oldest: number | null }>(
          `SELECT count(*)::int AS granted, min(granted_at) AS oldest FROM ${table}
           WHERE key = $1 AND granted_at > $2`,
          [key, at - windowMs],
        );
        const { granted, oldest } = window.rows[0] ?? { granted: 0, oldest: null };
        if (granted < budget) {
          await client.query(`INSERT INTO ${table} (key, granted_at) VALUES ($1, $2)`, [key, at]);
          return 0;
        }
        return Math.max(1, (oldest ?? at) + windowMs - at);
      },
      // A grant whose commit was lost is simply taken again: at worst one slot is wasted.
      { idempotent: true },
    );

  const sweep = (at: number) => {
    if (at - lastSweep < keepGrantsMs / 2) return;
    lastSweep = at;
    connection
      .query(`DELETE FROM ${table} WHERE granted_at < $1`, [at - keepGrantsMs])
      .catch(() => {
        // The next sweep tries again; stale rows only cost space.
      });
  };

  return {
    async acquire(request, signal) {
      if (closed) throw new MailboxClosedError();
      validateRequest(request);
      const budget = limits[request.scope];
      if (budget === undefined) return;
      const key = `${request.scope}:${request.key}`;
      for (;;) {
        signal?.throwIfAborted();
        const waitMs = await tryGrant(key, budget);
        if (waitMs === 0) {
          sweep(now());
          return;
        }
        await sleep(waitMs, signal);
      }
    },
    async close() {
      closed = true;
      await connection.end();
    },
  };
}

function limit(value: number | undefined, option: string): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ConfigError(option, `postgresPacer: ${option} must be a positive whole number.`);
  return value;
}

function validateRequest(request: PacedAction): void {
  const scope = (request as { scope?: unknown } | null)?.scope;
  if (scope !== "conversation" && scope !== "service" && scope !== "sender")
    throw new MailboxInputError("scope", 'scope: must be "conversation", "service" or "sender"');
  const key = request.key as unknown;
  if (
    typeof key !== "string" ||
    key.length === 0 ||
    key.length > maxKeyLength ||
    !isStorableText(key)
  )
    throw new MailboxInputError(
      "key",
      `key: a non-empty string of at most ${maxKeyLength} characters without NUL`,
    );
}

/**
 * `setTimeout` as a promise that rejects with the signal's reason when aborted: the twin of
 * the provider's `abortableSleep`, which the mailbox may not import (it imports nothing
 * above it).
 */
function sleepUnlessAborted(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
