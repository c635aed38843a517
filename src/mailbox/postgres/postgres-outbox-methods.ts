import {
  enqueuedReplyKey,
  outboxSettlement,
  sentMessageKey,
  settlementNotifies,
} from "../core/outbox-settle.js";
import { outboxNotice } from "../core/work-notices.js";
import { MailboxInputError } from "../mailbox-errors.js";
import type { MailboxStore } from "../mailbox-store.js";
import { turnIdOfReply } from "../reply-id.js";
import { serialiseReply, toOutboxItem } from "../sqlite-rows.js";
import {
  validateClaim,
  validateEnqueuedReply,
  validateOutboxResult,
} from "../validate-mailbox-input.js";
import { createWriteBatcher, eachAloneOnFailure } from "../write-batcher.js";
import { conversationRowFrom, outboxRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText, storableText } from "./storable-text.js";

/** A sent result to record (`settleOutbox` with `sent`). */
interface SentSettle {
  id: number;
  messageSid: string;
  index: number | null;
}

/** A send attempt to record (`startSendAttempt`). */
interface Attempt {
  id: number;
  claimVersion: number;
  deadline: number;
}

/** Batches of sent settles (and of attempts) committing at once (each holds a connection for one round trip). */
const settlesInFlight = 3;

type OutboxMethods = Pick<MailboxStore, "claimOutbox" | "settleOutbox" | "enqueueReply"> &
  Required<Pick<MailboxStore, "startSendAttempt">>;

/** The outbox: claiming replies to send, settling them, and replies outside a turn. */
export function postgresOutboxMethods(context: PostgresStoreContext): OutboxMethods {
  const { sql, settings, write, read, instanceId } = context;
  const { now } = settings;
  /** settle_sent of several rows in one statement, each decided on its own, in order. */
  const settleSent = (settles: readonly SentSettle[]) =>
    write(
      async (client, notices) => {
        const { rows } = await client.query<{
          o_outcome: string;
          o_conversation_sid: string | null;
          o_open_left: boolean;
        }>(settles.length === 1 ? sql.settleSentCall : sql.settleSentMany, [
          ...(settles.length === 1
            ? [settles[0]!.id, settles[0]!.messageSid, sentMessageKey(settles[0]!.messageSid)]
            : [
                settles.map((settle) => settle.id),
                settles.map((settle) => settle.messageSid),
                settles.map((settle) => sentMessageKey(settle.messageSid)),
              ]),
          now(),
          settles.length === 1 ? settles[0]!.index : settles.map((settle) => settle.index),
        ]);
        return settles.map((_, position) => {
          const row = rows[position];
          if (row === undefined || row.o_outcome === "missing") return false;
          // The next reply of the conversation, if any, is its head now: wake the sender.
          if (row.o_outcome === "sent" && row.o_conversation_sid !== null && row.o_open_left)
            notices.push(outboxNotice(row.o_conversation_sid));
          return true;
        });
      },
      { idempotent: true, singleStatement: true },
    );
  // The common outcome in one round trip: settle_sent (migration 15) decides as
  // outboxSettlement does, in autocommit. Our own message comes back through onMessageAdded:
  // its SID becomes a dedupe key so that is a duplicate, and a copy that arrived before this
  // settle is dropped so history shows it once. Its index stays recorded on the outbox row,
  // so the settle rule of claim still sees it. Sends finishing in the same loop turn share
  // one statement (each row still settled by its own call, fenced as alone); should that
  // statement fail, each is settled alone, so one row's error is only its own.
  const sentSettles = createWriteBatcher<SentSettle, boolean>(
    eachAloneOnFailure(async (settles) =>
      (await settleSent(settles)).map((value) => ({ ok: true as const, value })),
    ),
    { windowMs: 0, maxBatch: 100, concurrency: settlesInFlight },
  );

  // Sends starting in one loop turn (claimed together) record their attempts in one UPDATE,
  // each row fenced by its own claim. One statement, so in autocommit: one round trip instead
  // of BEGIN, UPDATE and COMMIT; repeating it after a lost connection answers the same (the
  // fences still match).
  const attempts = createWriteBatcher<Attempt, boolean>(
    async (asked) => {
      const started = await write(
        async (client) => {
          const { rows } = await client.query<{ id: string; claim_version: string }>(
            sql.startSendAttempts,
            [
              asked.map((attempt) => attempt.id),
              asked.map((attempt) => attempt.claimVersion),
              asked.map((attempt) => attempt.deadline),
              now(),
            ],
          );
          return new Set(rows.map((row) => `${row.id}:${row.claim_version}`));
        },
        { idempotent: true, singleStatement: true },
      );
      return asked.map((attempt) => ({
        ok: true as const,
        value: started.has(`${attempt.id}:${attempt.claimVersion}`),
      }));
    },
    { windowMs: 0, maxBatch: 100, concurrency: settlesInFlight },
  );

  return {
    claimOutbox(workerId, max, leaseMs) {
      try {
        validateClaim(workerId, max, leaseMs);
        assertStorableText("workerId", workerId);
      } catch (error) {
        return Promise.reject(error);
      }
      // Like `claim`: an interrupted commit leaves claims that expire and are taken again, and
      // the reply's attempt count tells the sender to look before resending.
      return write(async (client) => {
        const at = now();
        const claimed = await client.query(sql.claimOutbox, [
          at,
          max,
          workerId,
          at + leaseMs,
          instanceId,
        ]);
        return claimed.rows
          .map(outboxRowFrom)
          .sort((a, b) => a.id - b.id)
          .map(toOutboxItem);
      }, claimOptions);
    },

    settleOutbox(item, result) {
      if (!Number.isSafeInteger(item?.id))
        return Promise.reject(new MailboxInputError("item.id", "item.id: must be an integer"));
      try {
        validateOutboxResult(result);
        if ("sent" in result) assertStorableText("messageSid", result.messageSid);
      } catch (error) {
        return Promise.reject(error);
      }
      if ("sent" in result) {
        // The common outcome in one round trip: settle_sent (migration 14) decides as
        // outboxSettlement does, in autocommit. Our own message comes back through
        // onMessageAdded: its SID becomes a dedupe key so that is a duplicate, and a copy that
        // arrived before this settle is dropped so history shows it once. Its index stays
        // recorded on the outbox row, so the settle rule of claim still sees it.
        const settle = { id: item.id, messageSid: result.messageSid, index: result.index ?? null };
        // Tracked from the call, so `close` waits for a settle still queued for its batch.
        return read(() => sentSettles.run(settle));
      }
      return write(async (client, notices) => {
        const at = now();
        const raw = (await client.query(sql.lockOutboxRow, [item.id])).rows[0];
        if (raw === undefined) return false;
        const row = outboxRowFrom(raw);
        const settlement = outboxSettlement(row, item.claimVersion, result);
        if (settlement === "stale") return false;
        if ("failed" in result)
          await client.query(sql.settleFailed, [storableText(String(result.error)), at, row.id]);
        else if ("retryAt" in result) {
          if (!Number.isFinite(result.retryAt))
            throw new MailboxInputError("retryAt", "retryAt: must be epoch ms");
          await client.query(sql.settleRetry, [
            storableText(String(result.error)),
            result.retryAt,
            row.id,
            result.throttled === true,
            result.outcome ?? "ambiguous",
          ]);
        }
        if (settlementNotifies(settlement)) notices.push(outboxNotice(row.conversation_sid));
        return true;
      });
    },

    startSendAttempt(item, deadline) {
      if (!Number.isSafeInteger(item?.id) || !Number.isSafeInteger(item?.claimVersion))
        return Promise.reject(new MailboxInputError("item", "item: must be a claimed outbox item"));
      if (!Number.isFinite(deadline))
        return Promise.reject(new MailboxInputError("deadline", "deadline: must be epoch ms"));
      const attempt = { id: item.id, claimVersion: item.claimVersion, deadline };
      return read(() => attempts.run(attempt));
    },

    enqueueReply(conversationSid, replyId, reply, known) {
      try {
        validateEnqueuedReply(conversationSid, replyId, reply, known);
        assertStorableText("conversationSid", conversationSid);
        assertStorableText("replyId", replyId);
      } catch (error) {
        return Promise.reject(error);
      }
      const turnId = turnIdOfReply(replyId);
      return write(async (client, notices): Promise<"queued" | "duplicate"> => {
        const at = now();
        if ((await client.query(sql.outboxReplyExists, [replyId])).rowCount !== 0)
          return "duplicate";
        await client.query(sql.insertConversation, [conversationSid, at]);
        if (known !== undefined)
          await client.query(sql.fillConversation, [
            conversationSid,
            known.channel,
            known.customerAddress,
            known.proxyAddress ?? null,
          ]);
        // The row lock orders this append with `complete` and other enqueues of the
        // conversation, so `outbox_seq` is never taken twice.
        const row = conversationRowFrom(
          (await client.query(sql.lockConversation, [conversationSid])).rows[0],
        );
        if ((await client.query(sql.insertKeys, [[enqueuedReplyKey(replyId)], at])).rowCount === 0)
          return "duplicate";
        const seq = row.outbox_seq + 1;
        const inserted = await client.query(sql.enqueueReply, [
          replyId,
          conversationSid,
          seq,
          turnId,
          row.last_processed_index ?? -1,
          row.channel,
          row.customer_address,
          row.proxy_address,
          serialiseReply(reply),
          at,
        ]);
        // A concurrent enqueue in another conversation took the id first.
        if (inserted.rowCount === 0) throw new ReplyIdTakenError();
        await client.query(sql.setOutboxSeq, [seq, at, conversationSid]);
        notices.push(outboxNotice(conversationSid));
        return "queued";
      }).catch((error: unknown) => {
        if (error instanceof ReplyIdTakenError) return "duplicate";
        throw error;
      });
    },
  };
}

/** The outbox claim is one statement (an UPDATE over the locked heads): no BEGIN/COMMIT. */
const claimOptions = { idempotent: true, singleStatement: true } as const;

/** Rolls an enqueue back whose reply id another transaction inserted first. */
class ReplyIdTakenError extends Error {}
