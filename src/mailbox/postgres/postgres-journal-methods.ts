import { holdsLease } from "../core/turn-rules.js";
import { LeaseLostError, MailboxInputError } from "../mailbox-errors.js";
import type { HandoffNote, MailboxStore, WaitingConversation } from "../mailbox-store.js";
import {
  validateHandoffNote,
  validateJournalStep,
  validateWaitingLimit,
} from "../validate-journal-step.js";
import { conversationRowFrom } from "./postgres-rows.js";
import { isPlausibleLease, type PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText } from "./storable-text.js";

type JournalMethods = Pick<
  MailboxStore,
  | "journalGet"
  | "journalRecord"
  | "noteHandoff"
  | "handoffNote"
  | "noteHandoffReleased"
  | "waitingForPerson"
>;

/**
 * The tool journal (steps of a turn recorded under the turn's lease, read back on re-runs) and
 * the handoff note.
 */
export function postgresJournalMethods(context: PostgresStoreContext): JournalMethods {
  const { connection, sql, settings, write, read } = context;
  return {
    noteHandoff(conversationSid, note) {
      try {
        validateHandoffNote(conversationSid, note);
        for (const field of ["reason", "summary"] as const) assertStorableText(field, note[field]);
        assertStorableText("conversationSid", conversationSid);
      } catch (error) {
        return Promise.reject(error);
      }
      return read(async () => {
        const startedAt = settings.now();
        await connection.query(sql.noteHandoff, [
          conversationSid,
          note.reason,
          note.source,
          note.summary,
          startedAt,
        ]);
        return {
          reason: note.reason,
          source: note.source,
          summary: note.summary,
          startedAt,
          releasedAt: null,
          releasedBy: null,
        };
      });
    },

    handoffNote(conversationSid) {
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const row = (await connection.query(sql.handoffNote, [conversationSid])).rows[0] as
          | HandoffNote
          | undefined;
        return row === undefined ? null : numericTimes(row);
      });
    },

    noteHandoffReleased(conversationSid, by) {
      if (by !== "operator" && by !== "timeout")
        return Promise.reject(new MailboxInputError("by", "by: must be operator or timeout"));
      return read(async () => {
        assertStorableText("conversationSid", conversationSid);
        const result = await connection.query(sql.releaseNote, [
          settings.now(),
          by,
          conversationSid,
        ]);
        return result.rowCount === 1;
      });
    },

    waitingForPerson(options = {}) {
      return read(async () => {
        const limit = validateWaitingLimit(options.limit);
        const rows = (await connection.query(sql.waitingForPerson, [limit]))
          .rows as unknown as WaitingConversation[];
        return rows.map(numericTimes);
      });
    },

    journalGet(lease, key) {
      if (!isPlausibleLease(lease) || typeof key !== "string" || key === "")
        return Promise.resolve(undefined);
      return read(async () => {
        assertStorableText("key", key);
        const row = (await connection.query(sql.journalGet, [lease.conversationSid, key]))
          .rows[0] as { name: string; value: string } | undefined;
        return row === undefined ? undefined : { name: row.name, value: JSON.parse(row.value) };
      });
    },

    journalRecord(lease, key, step) {
      let checked: ReturnType<typeof validateJournalStep>;
      try {
        checked = validateJournalStep(key, step);
        assertStorableText("key", checked.key);
        assertStorableText("name", checked.name);
      } catch (error) {
        return Promise.reject(error);
      }
      if (!isPlausibleLease(lease))
        return Promise.reject(new LeaseLostError(String(lease?.conversationSid), NaN));
      // Repeatable after a lost connection: the insert keeps the first value, and the lease
      // check passes again because journaling does not change the lease.
      return write(async (client) => {
        const raw = (await client.query(sql.lockConversation, [lease.conversationSid])).rows[0];
        const row = raw === undefined ? undefined : conversationRowFrom(raw);
        if (row === undefined || !holdsLease(row, lease))
          throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
        await client.query(sql.journalInsert, [
          lease.conversationSid,
          checked.key,
          lease.turnId,
          checked.name,
          checked.value,
          settings.now(),
        ]);
      });
    },
  };
}

/** Times as numbers (a driver may hand `double precision` back otherwise), nulls kept. */
function numericTimes<T extends HandoffNote>(row: T): T {
  return {
    ...row,
    startedAt: Number(row.startedAt),
    releasedAt: row.releasedAt === null ? null : Number(row.releasedAt),
  };
}
