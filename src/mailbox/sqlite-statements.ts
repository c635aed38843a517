import type Database from "better-sqlite3";
import { sqliteCustomerSql } from "./sqlite-customer-statements.js";
import { sqliteInboundDeadLetterSql } from "./sqlite-inbound-dead-letters.js";
import { sqliteLedgerSql } from "./sqlite-ledger-statements.js";

// Columns of a conversation row plus its pending count, which claim and the public record need.
const conversationColumns = `c.*, (SELECT count(*) FROM messages m
    WHERE m.conversation_sid = c.conversation_sid AND m.status = 'pending') AS pending_count`;

// Every bound LIMIT is written `LIMIT +?`. SQLite (3.5x, as bundled by better-sqlite3) bakes a
// bare `LIMIT ?`'s bound value into the compiled program, so each new binding recompiles the
// statement: ~100 µs per claim, outbox claim or history read (5-10 µs with the unary plus,
// which keeps the value a runtime register). sqlite-statements.test.ts holds every statement
// to it.

/** The mailbox's SQL, by name. */
const sql = {
  conversation: `SELECT ${conversationColumns} FROM conversations c WHERE c.conversation_sid = ?`,
  insertConversation: `INSERT OR IGNORE INTO conversations (conversation_sid, created_at, updated_at)
       VALUES (?, ?, ?)`,
  // Ingest's conversation write in one statement: created or updated, answering what the
  // message's status and the interrupt rule depend on (three statements before: insert, read,
  // update). The update leaves state, policy and lease alone, so the answer is the row as the
  // ingest found it.
  ingestConversation: `INSERT INTO conversations (conversation_sid, service_sid, channel,
         customer_address, proxy_address, last_index, last_inbound_at, created_at, updated_at)
       VALUES (@sid, @serviceSid, @channel, @customerAddress, @proxyAddress, @index, @inboundAt,
         @at, @at)
       ON CONFLICT (conversation_sid) DO UPDATE SET
         service_sid = coalesce(excluded.service_sid, service_sid),
         channel = excluded.channel,
         customer_address = coalesce(excluded.customer_address, customer_address),
         proxy_address = coalesce(excluded.proxy_address, proxy_address),
         last_index = max(coalesce(last_index, -1), excluded.last_index),
         last_inbound_at = CASE WHEN excluded.last_inbound_at IS NULL THEN last_inbound_at
           ELSE max(coalesce(last_inbound_at, 0), excluded.last_inbound_at) END,
         updated_at = excluded.updated_at
       RETURNING state, policy, lease_owner, lease_version, lease_expires_at, turn_message_sids,
         last_processed_index`,
  // What a sender knows of a conversation it opened itself (`enqueueReply`'s `known`): only
  // where the mailbox knows nothing, so a message's own facts always win.
  fillConversation: `UPDATE conversations SET channel = coalesce(channel, @channel),
         customer_address = coalesce(customer_address, @customerAddress),
         proxy_address = coalesce(proxy_address, @proxyAddress)
       WHERE conversation_sid = @sid
         AND (channel IS NULL OR customer_address IS NULL OR proxy_address IS NULL)`,
  deleteKey: "DELETE FROM dedupe_keys WHERE key = ?",
  hasKey: "SELECT 1 FROM dedupe_keys WHERE key = ?",
  insertKey: "INSERT OR IGNORE INTO dedupe_keys (key, created_at) VALUES (?, ?)",
  hasMessage: "SELECT 1 FROM messages WHERE message_sid = ?",
  message: "SELECT * FROM messages WHERE message_sid = ?",
  insertMessage: `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
         ingested_at, parked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  // The settle rule: how many distinct indexes strictly between @above and @below are
  // recorded, as stored messages (any role) or our sent replies whose Index the sender
  // reported. UNION, not UNION ALL: a sent reply's echo row may still hold the same index.
  recordedIndexes: `SELECT count(*) AS recorded FROM (
         SELECT message_index FROM messages
           WHERE conversation_sid = @sid AND message_index > @above AND message_index < @below
         UNION SELECT sent_index FROM outbox
           WHERE conversation_sid = @sid AND sent_index > @above AND sent_index < @below)`,
  pending: `SELECT * FROM messages WHERE conversation_sid = ? AND status = 'pending'
       ORDER BY message_index, message_sid LIMIT +?`,
  // Replies being sent right now (claimed, not settled): each may hold an Index at Twilio
  // that the mailbox does not know yet. Through the `outbox_open` partial index.
  sendingReplies: `SELECT count(*) AS sending FROM outbox
       WHERE conversation_sid = ? AND status = 'sending'`,
  markMessage: "UPDATE messages SET status = ? WHERE message_sid = ? AND status = 'pending'",
  // Whether a conversation still has work after a commit, so its notice wakes workers only
  // when a claim can find something: a pending message (`messages_pending`), an unsettled
  // reply (`outbox_open`).
  hasPending: `SELECT 1 FROM messages WHERE conversation_sid = ? AND status = 'pending' LIMIT 1`,
  hasOpenReply: `SELECT 1 FROM outbox WHERE conversation_sid = ? AND status IN ('pending', 'sending')
       LIMIT 1`,
  // Driven by the pending messages (the `messages_pending` partial index), never by the
  // conversations: the cost follows the work waiting, not every conversation ever seen.
  // CROSS JOIN keeps that order whatever the planner's statistics say.
  candidates: `SELECT c.*, p.pending_count FROM (
         SELECT conversation_sid, count(*) AS pending_count, min(ingested_at) AS waiting_since
         FROM messages WHERE status = 'pending' AND parked = 0 GROUP BY conversation_sid) p
       CROSS JOIN conversations c ON c.conversation_sid = p.conversation_sid
       WHERE c.state = 'idle'
         OR (c.state = 'backoff' AND c.next_attempt_at <= ?)
         OR (c.state = 'leased' AND c.lease_expires_at <= ?)
       ORDER BY p.waiting_since, c.conversation_sid
       LIMIT +?`,
  lease: `UPDATE conversations SET state = 'leased', lease_owner = @owner,
         lease_expires_at = @expiresAt, lease_version = lease_version + 1,
         attempts = @attempts, turn_message_sids = @turn, next_attempt_at = NULL,
         updated_at = @at
       WHERE conversation_sid = @sid`,
  heartbeat: `UPDATE conversations SET lease_expires_at = ?
       WHERE conversation_sid = ? AND state = 'leased' AND lease_version = ? AND lease_owner = ?`,
  // Gives a turn back uncounted: the next claim of the same turn adds the attempt again.
  releaseLease: `UPDATE conversations SET state = 'idle', lease_owner = NULL,
         lease_expires_at = NULL, next_attempt_at = NULL, attempts = max(attempts - 1, 0),
         updated_at = ?
       WHERE conversation_sid = ? AND state = 'leased' AND lease_version = ? AND lease_owner = ?`,
  release: `UPDATE conversations SET state = @state, lease_owner = NULL, lease_expires_at = NULL,
         attempts = 0, last_error = NULL, next_attempt_at = NULL, dead_at = NULL,
         turn_message_sids = NULL,
         last_processed_index = max(coalesce(last_processed_index, -1), @lastIndex),
         outbox_seq = @seq, updated_at = @at
       WHERE conversation_sid = @sid`,
  backoff: `UPDATE conversations SET state = 'backoff', lease_owner = NULL, lease_expires_at = NULL,
         last_error = ?, next_attempt_at = ?, updated_at = ?
       WHERE conversation_sid = ?`,
  deadLetter: `UPDATE conversations SET state = 'dead', lease_owner = NULL, lease_expires_at = NULL,
         next_attempt_at = NULL, last_error = ?, dead_at = ?, updated_at = ?
       WHERE conversation_sid = ?`,
  // LIMIT -1: every one.
  deadLetters: `SELECT ${conversationColumns} FROM conversations c WHERE c.state = 'dead'
       ORDER BY c.dead_at, c.conversation_sid LIMIT +?`,
  stats: `SELECT (SELECT COUNT(*) FROM messages WHERE status = 'pending') AS pending,
       (SELECT COUNT(*) FROM conversations WHERE state = 'dead') AS dead`,
  revive: `UPDATE conversations SET state = 'idle', attempts = 0, last_error = NULL,
         dead_at = NULL, next_attempt_at = NULL, turn_message_sids = NULL, updated_at = ?
       WHERE conversation_sid = ? AND state = 'dead'`,
  insertOutbox: `INSERT INTO outbox (reply_id, conversation_sid, seq, turn_id, position, after_index,
         channel, to_address, from_address, reply, status, created_at)
       VALUES (@replyId, @sid, @seq, @turnId, @position, @afterIndex, @channel, @to, @from,
         @reply, 'pending', @at)`,
  // Each conversation's oldest unsettled reply, found through the `outbox_open` partial index
  // (unsent rows only): sent rows, however many, are never read.
  // The open rows in the order they fall due (schema 12's `outbox_due_at`: a pending row at
  // its retry time, else its creation; a sending one when its lease ends), each kept only if
  // it is its conversation's head, so a claim reads what it takes — the replies queued behind
  // a head that waits for its retry wait with it (schema 12's triggers), out of this walk.
  outboxHeads: `SELECT o.* FROM outbox o
       WHERE o.status IN ('pending', 'sending')
         AND (CASE WHEN o.status = 'pending' THEN coalesce(o.next_attempt_at, o.created_at)
           ELSE o.lease_expires_at END) <= @at
         AND o.seq = (SELECT min(h.seq) FROM outbox h
           WHERE h.conversation_sid = o.conversation_sid AND h.status IN ('pending', 'sending'))
       ORDER BY (CASE WHEN o.status = 'pending' THEN coalesce(o.next_attempt_at, o.created_at)
           ELSE o.lease_expires_at END), o.id
       LIMIT +@max`,
  outboxRow: "SELECT * FROM outbox WHERE id = ?",
  // Reclaiming an expired claim clears the throttled flag: that try may have reached Twilio.
  // An expired claim (a crashed sender) may have reached Twilio: the next try must look first.
  claimOutboxRow: `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_expires_at = ?,
         attempts = attempts + 1, claim_version = claim_version + 1, next_attempt_at = NULL,
         last_error_throttled = CASE WHEN status = 'sending' THEN 0 ELSE last_error_throttled END,
         must_reconcile = CASE WHEN status = 'sending' THEN 1 ELSE must_reconcile END,
         attempt_deadline = NULL
       WHERE id = ?`,
  // Fenced like a settle: only the current claim, only while its lease runs. The deadline is
  // kept apart from the lease: a new owner of the file cuts the lease, not the attempt
  // (`releaseDeadOwnerLeases`).
  startSendAttempt: `UPDATE outbox SET attempt_deadline = @deadline,
         lease_expires_at = max(lease_expires_at, @deadline)
       WHERE id = @id AND claim_version = @claimVersion AND status = 'sending'
         AND lease_expires_at > @at`,
  settleSent: `UPDATE outbox SET status = 'sent', message_sid = ?, sent_index = ?, settled_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, last_error_throttled = 0,
         must_reconcile = 0
       WHERE id = ?`,
  touchSentIndex: `UPDATE conversations SET last_index = max(coalesce(last_index, -1), ?)
       WHERE conversation_sid = ?`,
  settleFailed: `UPDATE outbox SET status = 'failed', last_error = ?, settled_at = ?, lease_owner = NULL,
         lease_expires_at = NULL WHERE id = ?`,
  // A throttled try gives its attempt back (@uncounted = 1): Twilio never processed it.
  settleRetry: `UPDATE outbox SET status = 'pending', last_error = @error,
         next_attempt_at = @retryAt, lease_owner = NULL, lease_expires_at = NULL,
         attempts = max(attempts - @uncounted, 0), last_error_throttled = @uncounted,
         throttled_count = throttled_count + @uncounted, last_outcome = @outcome,
         must_reconcile = CASE WHEN @outcome = 'ambiguous' THEN 1 ELSE 0 END
       WHERE id = @id`,
  outboxReplyExists: "SELECT 1 FROM outbox WHERE reply_id = ?",
  lastAfterIndex: "SELECT max(after_index) AS after_index FROM outbox WHERE conversation_sid = ?",
  nextPosition: "SELECT coalesce(max(position) + 1, 0) AS position FROM outbox WHERE turn_id = ?",
  setOutboxSeq:
    "UPDATE conversations SET outbox_seq = ?, updated_at = ? WHERE conversation_sid = ?",
  deleteEcho: "DELETE FROM messages WHERE message_sid = ? AND role != 'customer'",
  recentMessages: `SELECT * FROM messages WHERE conversation_sid = ?
       ORDER BY message_index DESC, message_sid DESC LIMIT +?`,
  recentOutbox: `SELECT * FROM outbox WHERE conversation_sid = ? ORDER BY after_index DESC, seq DESC
       LIMIT +?`,
  setPolicy: "UPDATE conversations SET policy = ?, updated_at = ? WHERE conversation_sid = ?",
  handoffOn: `UPDATE conversations SET state = 'handoff', lease_owner = NULL, lease_expires_at = NULL,
         lease_version = lease_version + 1, attempts = 0, next_attempt_at = NULL,
         dead_at = NULL, last_error = NULL, turn_message_sids = NULL, updated_at = ?
       WHERE conversation_sid = ?`,
  handoffPending:
    "UPDATE messages SET status = 'handoff' WHERE conversation_sid = ? AND status = 'pending'",
  handoffOff: `UPDATE conversations SET state = 'idle', updated_at = ?
       WHERE conversation_sid = ? AND state = 'handoff'`,
  // Once only: the first mark wins, so exactly one caller learns it is new.
  markGone: `UPDATE conversations SET gone_at = ?, gone_reason = ?, updated_at = ?
       WHERE conversation_sid = ? AND gone_at IS NULL`,
  known: "SELECT conversation_sid FROM conversations ORDER BY created_at, conversation_sid",
  // The expression matches the index conversations_by_activity, which serves both the range
  // and the order: the rows read are the ones answered (plus any gone ones among them).
  // @includeGone (1): gone ones too (the console's list).
  active: `SELECT ${conversationColumns} FROM conversations c
       WHERE coalesce(c.last_inbound_at, c.created_at) >= @since
         AND (c.gone_at IS NULL OR @includeGone)
       ORDER BY coalesce(c.last_inbound_at, c.created_at) DESC, c.conversation_sid
       LIMIT +@limit`,
  getMeta: "SELECT value FROM meta WHERE key = ?",
  setMeta:
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  gcMessages: "DELETE FROM messages WHERE status != 'pending' AND ingested_at < ?",
  gcOutbox: "DELETE FROM outbox WHERE settled_at IS NOT NULL AND settled_at < ?",
  gcKeys: "DELETE FROM dedupe_keys WHERE created_at < ?",
  // Bound to the message's row: a message the mailbox does not hold stores nothing.
  saveTranscript: `INSERT INTO media_transcripts
         (message_sid, media_index, conversation_sid, text, recorded_at)
       SELECT message_sid, ?, conversation_sid, ?, ? FROM messages WHERE message_sid = ?
       ON CONFLICT (message_sid, media_index) DO UPDATE SET text = excluded.text,
         recorded_at = excluded.recorded_at`,
  transcripts: `SELECT media_index AS "mediaIndex", text FROM media_transcripts
       WHERE message_sid = ? ORDER BY media_index`,
  gcTranscripts: `DELETE FROM media_transcripts WHERE NOT EXISTS (
         SELECT 1 FROM messages m WHERE m.message_sid = media_transcripts.message_sid)`,
  ...sqliteLedgerSql,
  ...sqliteCustomerSql(conversationColumns),
  ...sqliteInboundDeadLetterSql,
  handoffNote: `SELECT reason, source, summary, started_at AS "startedAt",
         released_at AS "releasedAt", released_by AS "releasedBy" FROM handoff_notes
       WHERE conversation_sid = ?`,
  releaseNote: `UPDATE handoff_notes SET released_at = ?, released_by = ?
       WHERE conversation_sid = ?`,
  waitingForPerson: `SELECT n.conversation_sid AS "conversationSid", n.reason, n.source, n.summary,
         n.started_at AS "startedAt", n.released_at AS "releasedAt", n.released_by AS "releasedBy"
       FROM handoff_notes n JOIN conversations c ON c.conversation_sid = n.conversation_sid
       WHERE c.state = 'handoff' ORDER BY n.started_at, n.conversation_sid LIMIT +?`,
  noteHandoff: `INSERT INTO handoff_notes (conversation_sid, reason, source, summary, started_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_sid) DO UPDATE SET reason = excluded.reason,
         source = excluded.source, summary = excluded.summary, started_at = excluded.started_at,
         released_at = NULL, released_by = NULL`,
  journalGet: "SELECT name, value FROM tool_journal WHERE conversation_sid = ? AND key = ?",
  // Whether a turn journaled any step: the interrupt policy leaves such a turn running.
  journalHasTurn: "SELECT 1 FROM tool_journal WHERE conversation_sid = ? AND turn_id = ? LIMIT 1",
  journalInsert: `INSERT OR IGNORE INTO tool_journal (conversation_sid, key, turn_id, name, value,
         recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
  // A turn still pending (backoff, dead letter) keeps its journal: its retry replays it.
  gcJournal: `DELETE FROM tool_journal WHERE recorded_at < ? AND NOT EXISTS (
         SELECT 1 FROM messages m WHERE m.message_sid = tool_journal.turn_id
           AND m.status = 'pending')`,
} as const;

/** Every statement of the SQLite mailbox, prepared once per connection. */
export type SqliteStatements = { [name in keyof typeof sql]: Database.Statement };

/** Prepares the mailbox's SQL against a migrated database. */
export function prepareSqliteStatements(database: Database.Database): SqliteStatements {
  return Object.fromEntries(
    Object.entries(sql).map(([name, text]) => [name, database.prepare(text)]),
  ) as SqliteStatements;
}
