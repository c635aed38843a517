import { mergeHistory } from "../core/history-order.js";
import { turnNotice } from "../core/work-notices.js";
import { MailboxInputError } from "../mailbox-errors.js";
import type { GarbageCollected, MailboxStore } from "../mailbox-store.js";
import { toConversation } from "../sqlite-rows.js";
import {
  validateActiveQuery,
  validateGone,
  validateHistoryLimit,
  validateIndexRange,
  validatePolicy,
  validateTranscripts,
} from "../validate-mailbox-input.js";
import { createWriteBatcher } from "../write-batcher.js";
import { conversationRowFrom, messageRowFrom, outboxRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText } from "./storable-text.js";

/** Batches of conversation reads at once (each holds a pool connection for one round trip). */
const conversationReadsInFlight = 4;

type ConversationMethods = Pick<
  MailboxStore,
  | "history"
  | "conversation"
  | "setPolicy"
  | "setHandoff"
  | "markGone"
  | "lastIndex"
  | "knownConversations"
  | "getMeta"
  | "setMeta"
  | "collectGarbage"
  | "saveTranscripts"
  | "transcripts"
> &
  Required<Pick<MailboxStore, "indexGap" | "activeConversations">>;

/** Conversations: history and records, policy and handoff, metadata, garbage collection. */
export function postgresConversationMethods(context: PostgresStoreContext): ConversationMethods {
  const { connection, sql, settings, write, read } = context;
  const { now, defaultPolicy, dedupeRetentionMs } = settings;
  // A webhook reads its conversation's row when it cannot tell the message follows the last
  // one (every new conversation's first message), so under load this is a round trip per
  // webhook. Reads asked in the same loop turn share one `= ANY` query instead: a read still
  // starts after every write that resolved before it was asked, so it sees them.
  const conversationReads = createWriteBatcher<string, Record<string, unknown> | undefined>(
    async (sids) => {
      const { rows } = await connection.query(sql.conversationsById, [[...new Set(sids)]]);
      const bySid = new Map(rows.map((row) => [row.conversation_sid as string, row]));
      return sids.map((sid) => ({ ok: true as const, value: bySid.get(sid) }));
    },
    { windowMs: 0, maxBatch: 500, concurrency: conversationReadsInFlight },
  );
  return {
    history(conversationSid, options = {}) {
      return read(async () => {
        const limit = validateHistoryLimit(options.limit);
        assertStorableText("conversationSid", conversationSid);
        const [messages, outbox] = await Promise.all([
          connection.query(sql.recentMessages, [conversationSid, limit]),
          connection.query(sql.recentOutbox, [conversationSid, limit]),
        ]);
        return mergeHistory(
          messages.rows.map(messageRowFrom),
          outbox.rows.map(outboxRowFrom),
          limit,
        );
      });
    },

    conversation(conversationSid) {
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const raw = await conversationReads.run(conversationSid);
        return raw === undefined ? null : toConversation(conversationRowFrom(raw), defaultPolicy);
      });
    },

    setPolicy(conversationSid, policy) {
      try {
        validatePolicy(policy);
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client, notices) => {
        const at = now();
        await client.query(sql.insertConversation, [conversationSid, at]);
        await client.query(sql.setPolicy, [
          policy.mode,
          policy.mode === "burst" ? policy.windowMs : null,
          at,
          conversationSid,
        ]);
        notices.push(turnNotice(conversationSid));
      });
    },

    setHandoff(conversationSid, on) {
      try {
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client, notices) => {
        const at = now();
        await client.query(sql.insertConversation, [conversationSid, at]);
        if (on) {
          await client.query(sql.handoffOn, [at, conversationSid]);
          await client.query(sql.handoffPending, [conversationSid]);
        } else {
          await client.query(sql.handoffOff, [at, conversationSid]);
          notices.push(turnNotice(conversationSid));
        }
      });
    },

    markGone(conversationSid, reason) {
      try {
        validateGone(conversationSid, reason);
        assertStorableText("conversationSid", conversationSid);
        assertStorableText("reason", reason);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        const at = now();
        await client.query(sql.insertConversation, [conversationSid, at]);
        const marked = await client.query(sql.markGone, [at, reason, conversationSid]);
        return marked.rowCount === 1;
      });
    },

    lastIndex(conversationSid) {
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const raw = (await connection.query(sql.lastIndex, [conversationSid])).rows[0];
        return raw === undefined || raw.last_index === null ? null : Number(raw.last_index);
      });
    },

    indexGap(conversationSid, above, below) {
      return read(async () => {
        validateIndexRange(conversationSid, above, below);
        assertStorableText("conversationSid", conversationSid);
        const row = (
          await connection.query<{ recorded: number; sending: number }>(sql.indexGap, [
            conversationSid,
            above,
            below,
          ])
        ).rows[0];
        return { recorded: Number(row?.recorded ?? 0), sending: Number(row?.sending ?? 0) };
      });
    },

    activeConversations(since, limit, options) {
      return read(async () => {
        validateActiveQuery(since, limit, options);
        const includeGone = options?.includeGone === true;
        const rows = (await connection.query(sql.active, [since, limit, includeGone])).rows;
        return rows.map((raw) => toConversation(conversationRowFrom(raw), defaultPolicy));
      });
    },

    knownConversations() {
      return read(async () =>
        (await connection.query<{ conversation_sid: string }>(sql.known)).rows.map(
          (row) => row.conversation_sid,
        ),
      );
    },

    getMeta(key) {
      return read(async () => {
        assertStorableText("meta", key);
        const raw = (await connection.query<{ value: string }>(sql.getMeta, [key])).rows[0];
        return raw?.value ?? null;
      });
    },

    setMeta(key, value) {
      try {
        if (typeof key !== "string" || key.length === 0 || typeof value !== "string")
          throw new MailboxInputError("meta", "meta: key and value must be strings");
        assertStorableText("meta", key);
        assertStorableText("meta", value);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        await client.query(sql.setMeta, [key, value]);
      });
    },

    collectGarbage({ olderThanMs }) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
        return Promise.reject(
          new MailboxInputError("olderThanMs", "olderThanMs: must be a non-negative number"),
        );
      return write(async (client): Promise<GarbageCollected> => {
        const at = now();
        const cutoff = at - olderThanMs;
        const dedupeCutoff = at - Math.max(olderThanMs, dedupeRetentionMs);
        const messages = await client.query(sql.gcMessages, [cutoff]);
        const outbox = await client.query(sql.gcOutbox, [cutoff]);
        const dedupeKeys = await client.query(sql.gcKeys, [dedupeCutoff]);
        // Receipts as old as the settled replies go with them (not counted in the result).
        await client.query(sql.gcDeliveries, [cutoff]);
        const journal = await client.query(sql.gcJournal, [cutoff]);
        // After the messages: their transcripts go with them.
        const transcripts = await client.query(sql.gcTranscripts);
        return {
          messages: messages.rowCount ?? 0,
          outbox: outbox.rowCount ?? 0,
          dedupeKeys: dedupeKeys.rowCount ?? 0,
          journal: journal.rowCount ?? 0,
          transcripts: transcripts.rowCount ?? 0,
        };
      });
    },

    saveTranscripts(messageSid, transcripts) {
      let input: ReturnType<typeof validateTranscripts>;
      try {
        input = validateTranscripts(messageSid, transcripts);
        assertStorableText("messageSid", input.messageSid);
        for (const entry of input.transcripts) assertStorableText("transcripts", entry.text);
      } catch (error) {
        return Promise.reject(error);
      }
      if (input.transcripts.length === 0) return Promise.resolve(0);
      return write(async (client) => {
        const result = await client.query(sql.saveTranscripts, [
          input.messageSid,
          now(),
          input.transcripts.map((entry) => entry.mediaIndex),
          input.transcripts.map((entry) => entry.text),
        ]);
        return result.rowCount ?? 0;
      });
    },

    transcripts(messageSid) {
      return read(async () => {
        validateTranscripts(messageSid, []);
        assertStorableText("messageSid", messageSid);
        return (
          await connection.query<{ mediaIndex: number; text: string }>(sql.transcripts, [
            messageSid,
          ])
        ).rows.map((row) => ({ mediaIndex: row.mediaIndex, text: row.text }));
      });
    },
  };
}
