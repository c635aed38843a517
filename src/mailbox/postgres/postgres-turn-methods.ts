import type pg from "pg";
import { failOutcome, holdsLease, lastIndexOf } from "../core/turn-rules.js";
import { turnNotice } from "../core/work-notices.js";
import { LeaseLostError, MailboxInputError } from "../mailbox-errors.js";
import type { FailOutcome, Lease, MailboxStore } from "../mailbox-store.js";
import { type ConversationRow, toDeadLetter, turnMessageSids } from "../sqlite-rows.js";
import {
  mailboxLimits,
  validateClaim,
  validateDeadLetterLimit,
  validateReplies,
} from "../validate-mailbox-input.js";
import { claimTurns } from "./claim-turns.js";
import { createCompleteBatch } from "./postgres-complete-batch.js";
import { conversationRowFrom } from "./postgres-rows.js";
import { isPlausibleLease, type PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText, storableText } from "./storable-text.js";

type TurnMethods = Pick<
  MailboxStore,
  | "claim"
  | "heartbeat"
  | "release"
  | "complete"
  | "fail"
  | "deadLetters"
  | "stats"
  | "retryDeadLetter"
  | "skipDeadLetter"
>;

/** Turns: claiming, the fenced writes of a lease, and dead letters. */
export function postgresTurnMethods(context: PostgresStoreContext): TurnMethods {
  const { connection, sql, settings, write, read } = context;
  const { now, maxAttempts } = settings;
  const claimContext = {
    sql,
    settleWindowMs: settings.settleWindowMs,
    maxAttempts,
    defaultPolicy: settings.defaultPolicy,
    instanceId: context.instanceId,
  };

  const lockLease = async (client: pg.ClientBase, lease: Lease): Promise<ConversationRow> => {
    if (!isPlausibleLease(lease)) throw new LeaseLostError(String(lease?.conversationSid), NaN);
    const raw = (await client.query(sql.lockConversation, [lease.conversationSid])).rows[0];
    const row = raw === undefined ? undefined : conversationRowFrom(raw);
    if (row === undefined || !holdsLease(row, lease))
      throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
    return row;
  };

  /** After a commit interrupted by a lost connection: did this lease's outcome land? */
  const settledWith = async (lease: Lease, states: readonly string[]) => {
    const raw = (await connection.query(sql.conversation, [lease.conversationSid])).rows[0];
    if (raw === undefined) return undefined;
    const row = conversationRowFrom(raw);
    // The lease version changes only on claims and handoffs, so the same version in a
    // released state means our write committed.
    return row.lease_version === lease.leaseVersion && states.includes(row.state) ? row : undefined;
  };

  const completes = createCompleteBatch(context);

  return {
    claim(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
        assertStorableText("workerId", workerId);
      } catch (error) {
        return Promise.reject(error);
      }
      // A claim whose commit was interrupted may have leased conversations nobody got: they
      // come back when those leases expire, so repeating it is safe. One statement (the
      // claim_turns function), so it runs in autocommit: no BEGIN and COMMIT round trips.
      return write(
        (client) => claimTurns(client, claimContext, { workerId, max, leaseMs, at: now() }),
        { idempotent: true, singleStatement: true },
      );
    },

    heartbeat(lease) {
      if (!isPlausibleLease(lease)) return Promise.resolve(false);
      return read(async () => {
        const result = await connection.query(sql.heartbeat, [
          now() + lease.leaseMs,
          lease.conversationSid,
          lease.leaseVersion,
          lease.workerId,
        ]);
        return result.rowCount === 1;
      });
    },

    release(lease) {
      if (!isPlausibleLease(lease)) return Promise.resolve(false);
      return write(async (client, notices) => {
        const result = await client.query(sql.releaseLease, [
          now(),
          lease.conversationSid,
          lease.leaseVersion,
          lease.workerId,
        ]);
        const released = result.rowCount === 1;
        if (released) notices.push(turnNotice(lease.conversationSid));
        return released;
      });
    },

    complete(lease, replies, options = {}) {
      try {
        validateReplies(replies);
      } catch (error) {
        return Promise.reject(error);
      }
      const handoff = options.handoff === true;
      if (!isPlausibleLease(lease))
        return Promise.reject(new LeaseLostError(String(lease?.conversationSid), NaN));
      // One round trip, shared with the turns completing at the same moment
      // (postgres-complete-batch.ts); tracked from the call, so `close` waits for it.
      return read(() => completes.run({ lease, replies, handoff }));
    },

    fail(lease, error, retryAt) {
      if (!Number.isFinite(retryAt))
        return Promise.reject(new MailboxInputError("retryAt", "retryAt: must be epoch ms"));
      const reason = storableText(String(error).slice(0, mailboxLimits.textLength * 4));
      return write(
        async (client): Promise<FailOutcome> => {
          const at = now();
          const row = await lockLease(client, lease);
          const outcome = failOutcome(row.attempts, maxAttempts);
          if (outcome === "dead")
            await client.query(sql.deadLetter, [reason, at, lease.conversationSid]);
          else await client.query(sql.backoff, [reason, retryAt, at, lease.conversationSid]);
          return outcome;
        },
        {
          idempotent: false,
          verify: async () => {
            const row = await settledWith(lease, ["backoff", "dead"]);
            return row === undefined
              ? { committed: false }
              : { committed: true, value: row.state === "dead" ? "dead" : "backoff" };
          },
        },
      );
    },

    deadLetters(options) {
      return read(async () => {
        const limit = validateDeadLetterLimit(options);
        return (await connection.query(sql.deadLetters, [limit])).rows
          .map(conversationRowFrom)
          .map(toDeadLetter);
      });
    },

    stats() {
      // One aggregate query: a /metrics scrape costs the same at 1k conversations as at 1M.
      return read(async () => {
        const row = (await connection.query(sql.stats)).rows[0] as {
          pending: number;
          dead: number;
        };
        return { pendingMessages: Number(row.pending), deadLetters: Number(row.dead) };
      });
    },

    retryDeadLetter(conversationSid) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(
        async (client, notices) => {
          const revived = await client.query(sql.revive, [now(), conversationSid]);
          if (revived.rowCount !== 1) return false;
          notices.push(turnNotice(conversationSid));
          return true;
        },
        { idempotent: false },
      );
    },

    skipDeadLetter(conversationSid) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(
        async (client, notices) => {
          const raw = (await client.query(sql.lockConversation, [conversationSid])).rows[0];
          const row = raw === undefined ? undefined : conversationRowFrom(raw);
          if (row === undefined || row.state !== "dead") return false;
          const skipped = await client.query<{ message_index: string }>(sql.markMessages, [
            "skipped",
            conversationSid,
            turnMessageSids(row),
          ]);
          const lastIndex = lastIndexOf(
            skipped.rows.map((item) => ({ index: Number(item.message_index) })),
          );
          await client.query(sql.release, [
            conversationSid,
            "idle",
            lastIndex,
            row.outbox_seq,
            now(),
          ]);
          notices.push(turnNotice(conversationSid));
          return true;
        },
        { idempotent: false },
      );
    },
  };
}
