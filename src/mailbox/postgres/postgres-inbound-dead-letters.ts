import type { MailboxInboundDeadLetters } from "../mailbox-store.js";
import {
  type InboundDeadLetterRow,
  inboundDeadLetterLimits,
  inboundDeadLetterListLimit,
  toInboundDeadLetter,
  validateInboundDeadLetter,
} from "../validate-inbound-dead-letter.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";

/** The inbound dead-letter SQL; `s` is the quoted schema and a dot. */
export function postgresInboundDeadLetterStatements(s: string) {
  return {
    insertInboundDeadLetter: `INSERT INTO ${s}inbound_dead_letters (message_sid, conversation_sid,
        author, field, reason, body_length, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (message_sid) DO NOTHING`,
    // Keeps the most recent rows only, so a sender of unstorable messages cannot grow the table.
    trimInboundDeadLetters: `DELETE FROM ${s}inbound_dead_letters WHERE message_sid IN (
        SELECT message_sid FROM ${s}inbound_dead_letters
        ORDER BY recorded_at DESC, seq DESC OFFSET ${inboundDeadLetterLimits.kept})`,
    inboundDeadLetters: `SELECT * FROM ${s}inbound_dead_letters
      ORDER BY recorded_at DESC, seq DESC LIMIT $1`,
  } as const;
}

/** Messages that can never be stored, kept as bounded summaries (see `MailboxInboundDeadLetters`). */
export function postgresInboundDeadLetterMethods(
  context: PostgresStoreContext,
): MailboxInboundDeadLetters {
  const { connection, sql, settings, write, read } = context;
  return {
    recordInboundDeadLetter(letter) {
      try {
        validateInboundDeadLetter(letter);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        const inserted = await client.query(sql.insertInboundDeadLetter, [
          letter.messageSid,
          letter.conversationSid,
          letter.author,
          letter.field,
          letter.reason,
          letter.bodyLength,
          settings.now(),
        ]);
        if (inserted.rowCount !== 1) return false;
        await client.query(sql.trimInboundDeadLetters);
        return true;
      });
    },

    inboundDeadLetters(options) {
      return read(async () => {
        const limit = inboundDeadLetterListLimit(options);
        const rows = await connection.query(sql.inboundDeadLetters, [limit]);
        return (rows.rows as unknown as InboundDeadLetterRow[]).map(toInboundDeadLetter);
      });
    },
  };
}
