import type { WorkNotice } from "../mailbox-store.js";
import type { PostgresConnection } from "./postgres-connection.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** Default time an instance stays alive after its last liveness write. */
export const defaultInstanceLivenessMs = 3_000;

/** What an instance's liveness needs. */
export interface InstanceLivenessOptions {
  connection: PostgresConnection;
  sql: PostgresStatements;
  instanceId: string;
  now: () => number;
  /** How long a liveness write keeps this instance alive; renewed every third of it. */
  livenessMs: number;
  /** Wakes this process's workers for what a sweep released. */
  announce(notice: WorkNotice): void;
}

/** A running liveness: renewed and swept on a timer until `stop`. */
export interface InstanceLiveness {
  /** One renewal and sweep now (the timer runs them too). */
  tick(): Promise<void>;
  /** Stops the timer and lapses this instance at once, so others take over what it holds. */
  stop(): Promise<void>;
}

/**
 * Keeps this store instance's liveness row alive, and releases the leases of instances whose
 * row lapsed. A killed process stops renewing; within `livenessMs` plus one tick the other
 * instances make its turn and send leases expired, and the ordinary expiry path takes them
 * over. No lease is shortened for that: a live instance's leases last as long as asked.
 *
 * An instance that was only slow (a stalled event loop longer than `livenessMs`) loses its
 * leases the same way; lease fencing turns its late writes away, and its next tick brings its
 * row back. The first tick runs before the store is handed out, so no lease is ever taken by
 * an instance without a row.
 */
export async function startInstanceLiveness(
  options: InstanceLivenessOptions,
): Promise<InstanceLiveness> {
  const { connection, sql, instanceId, now, livenessMs } = options;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        const at = now();
        await connection.query(sql.keepAlive, [instanceId, at + livenessMs]);
        const swept = await connection.query<{ turns: string[] | null; sends: string[] | null }>(
          sql.releaseLapsed,
          [at],
        );
        const row = swept.rows[0];
        for (const conversationSid of row?.turns ?? [])
          options.announce({ kind: "turn", conversationSid });
        for (const conversationSid of row?.sends ?? [])
          options.announce({ kind: "outbox", conversationSid });
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  await tick();
  const timer = setInterval(
    () => {
      // A failed tick (the database unreachable) is tried again on the next one; the store's
      // own calls report the outage to their callers.
      tick().catch(() => {});
    },
    Math.max(1, Math.floor(livenessMs / 3)),
  );
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
      await connection.query(sql.lapse, [instanceId]);
    },
  };
}
