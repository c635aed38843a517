import type { SqliteStatements } from "./sqlite-statements.js";
import type { SqliteWrite, SqliteWriteResults } from "./sqlite-write.js";
import { inboundDeadLetterLimits } from "./validate-inbound-dead-letter.js";

/** The SQLite mailbox's inbound dead-letter SQL, spread into its statement table. */
export const sqliteInboundDeadLetterSql = {
  insertInboundDeadLetter: `INSERT INTO inbound_dead_letters (message_sid, conversation_sid, author,
         field, reason, body_length, recorded_at)
       VALUES (@messageSid, @conversationSid, @author, @field, @reason, @bodyLength, @at)
       ON CONFLICT (message_sid) DO NOTHING`,
  // Keeps the most recent rows only, so a sender of unstorable messages cannot grow the file.
  trimInboundDeadLetters: `DELETE FROM inbound_dead_letters WHERE message_sid IN (
         SELECT message_sid FROM inbound_dead_letters
         ORDER BY recorded_at DESC, rowid DESC LIMIT -1 OFFSET ${inboundDeadLetterLimits.kept})`,
  inboundDeadLetters: `SELECT * FROM inbound_dead_letters
       ORDER BY recorded_at DESC, rowid DESC LIMIT +?`,
} as const;

/** The SQLite store's dead-letter write, spread into its handler table. */
export const sqliteInboundDeadLetterHandlers = {
  recordInboundDeadLetter(
    { statements, at }: { statements: SqliteStatements; at: number },
    { letter }: Extract<SqliteWrite, { kind: "recordInboundDeadLetter" }>,
  ): SqliteWriteResults["recordInboundDeadLetter"] {
    const inserted = statements.insertInboundDeadLetter.run({ ...letter, at }).changes === 1;
    if (inserted) statements.trimInboundDeadLetters.run();
    return inserted;
  },
};
