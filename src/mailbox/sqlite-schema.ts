import type { Database } from "better-sqlite3";
import { MailboxOpenError } from "./mailbox-errors.js";

/**
 * Versioned migrations of the SQLite mailbox. Append only: never edit a shipped entry; add
 * the next version. `schema_version` holds the version the file is at.
 */
export const sqliteMigrations: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE conversations (
    conversation_sid TEXT PRIMARY KEY,
    service_sid TEXT,
    channel TEXT,
    customer_address TEXT,
    proxy_address TEXT,
    state TEXT NOT NULL DEFAULT 'idle',
    policy TEXT,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    lease_version INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    dead_at INTEGER,
    turn_message_sids TEXT,
    last_processed_index INTEGER,
    last_index INTEGER,
    last_inbound_at INTEGER,
    outbox_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX conversations_by_state ON conversations (state, next_attempt_at);

  CREATE TABLE messages (
    message_sid TEXT PRIMARY KEY,
    conversation_sid TEXT NOT NULL,
    message_index INTEGER NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    ingested_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_index ON messages (conversation_sid, message_index);
  CREATE INDEX messages_pending ON messages (conversation_sid, message_index)
    WHERE status = 'pending';
  CREATE INDEX messages_by_age ON messages (ingested_at) WHERE status != 'pending';

  CREATE TABLE dedupe_keys (
    key TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX dedupe_keys_by_age ON dedupe_keys (created_at);

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reply_id TEXT NOT NULL UNIQUE,
    conversation_sid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    turn_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    after_index INTEGER NOT NULL,
    channel TEXT,
    to_address TEXT,
    from_address TEXT,
    reply TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claim_version INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    next_attempt_at INTEGER,
    last_error TEXT,
    message_sid TEXT,
    created_at INTEGER NOT NULL,
    settled_at INTEGER
  );
  CREATE UNIQUE INDEX outbox_order ON outbox (conversation_sid, seq);
  CREATE INDEX outbox_open ON outbox (conversation_sid, seq)
    WHERE status IN ('pending', 'sending');
  CREATE INDEX outbox_by_settled ON outbox (settled_at) WHERE settled_at IS NOT NULL;

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: the Index of a sent reply (the settle rule counts it as recorded), and whether the
  // last try of a reply was throttled (a 429 does not count as an attempt).
  `
  ALTER TABLE outbox ADD COLUMN sent_index INTEGER;
  ALTER TABLE outbox ADD COLUMN last_error_throttled INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX outbox_by_sent_index ON outbox (conversation_sid, sent_index)
    WHERE sent_index IS NOT NULL;
  `,
  // 3: a reply's send state as typed columns instead of a note the sender appended to
  // last_error: 429s so far, what the last retry knew of its try, and whether the next try
  // must look for the reply before sending. Rows left mid-send by an older version keep the
  // meaning of their note: only a note saying `unsent` lets the next try send without looking.
  `
  ALTER TABLE outbox ADD COLUMN throttled_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN last_outcome TEXT;
  ALTER TABLE outbox ADD COLUMN must_reconcile INTEGER NOT NULL DEFAULT 0;
  UPDATE outbox SET
    last_outcome = CASE
      WHEN last_error LIKE '% outcome=unsent]' THEN 'unsent'
      WHEN last_error LIKE '% outcome=ambiguous]' THEN 'ambiguous' END,
    must_reconcile = CASE WHEN last_error LIKE '% outcome=unsent]' THEN 0 ELSE 1 END
  WHERE status IN ('pending', 'sending') AND attempts > 0;
  `,
  // 4: a conversation Twilio no longer has (it answered 404), marked once by markGone.
  `
  ALTER TABLE conversations ADD COLUMN gone_at INTEGER;
  ALTER TABLE conversations ADD COLUMN gone_reason TEXT;
  `,
  // 5: delivery status per outbound message (from receipts) and consent per customer address.
  `
  CREATE TABLE deliveries (
    message_sid TEXT PRIMARY KEY,
    conversation_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code INTEGER,
    channel TEXT,
    updated_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_by_conversation ON deliveries (conversation_sid, recorded_at);
  CREATE INDEX deliveries_by_age ON deliveries (recorded_at);

  CREATE TABLE consent (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT,
    changed_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 6: the handoff note (why, who, a summary, since when: the waiting queue's age) and
  // the tool journal — one row per completed step of a turn (a tool call's result),
  // so a re-run of the turn replays it instead of repeating the effect. `turn_id` lets garbage
  // collection keep the rows of a turn that is still pending. Written to be re-runnable (IF NOT
  // EXISTS): a test that rolls the file back to an earlier version replays it.
  `
  CREATE TABLE IF NOT EXISTS tool_journal (
    conversation_sid TEXT NOT NULL,
    key TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_sid, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS tool_journal_by_age ON tool_journal (recorded_at);
  CREATE TABLE IF NOT EXISTS handoff_notes (
    conversation_sid TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    released_at INTEGER,
    released_by TEXT
  ) WITHOUT ROWID;
  `,
  // 7: customers above conversations: one record per person, the addresses it is known by
  // (an address belongs to at most one customer: the primary key), and who holds it in a
  // handoff. A conversation is a customer's through its (channel, customer_address), hence
  // the index. Re-runnable (IF NOT EXISTS), like 6.
  `
  CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    handoff_conversation_sid TEXT,
    handoff_since INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS customer_addresses (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    source TEXT NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS customer_addresses_by_customer ON customer_addresses (customer_id);
  CREATE INDEX IF NOT EXISTS conversations_by_customer_address
    ON conversations (customer_address, channel);
  `,
  // 8: voice-note transcripts by message and media position, with the message's conversation, so
  // garbage collection removes them with their message. Those an earlier version kept in
  // meta (`transcripts:<IM…>`, a JSON object by position) move here when their message is
  // still held; the meta rows go either way. Re-runnable (IF NOT EXISTS, OR IGNORE).
  `
  CREATE TABLE IF NOT EXISTS media_transcripts (
    message_sid TEXT NOT NULL,
    media_index INTEGER NOT NULL,
    conversation_sid TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (message_sid, media_index)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO media_transcripts
    (message_sid, media_index, conversation_sid, text, recorded_at)
    SELECT m.message_sid, CAST(j.key AS INTEGER), m.conversation_sid, j.value, m.ingested_at
    FROM meta
      JOIN messages m ON m.message_sid = substr(meta.key, 13)
      JOIN json_each(CASE WHEN json_valid(meta.value) THEN meta.value ELSE '{}' END) j
    WHERE meta.key LIKE 'transcripts:%' AND j.type = 'text' AND j.value <> ''
      AND j.key GLOB '[0-9]*' AND NOT j.key GLOB '*[^0-9]*';
  DELETE FROM meta WHERE key LIKE 'transcripts:%';
  `,
  // 9: inbound dead letters: a summary (never the body) of each correctly signed message the mailbox
  // refused for good, once per message SID, so it is visible instead of retried forever or
  // lost. Self-contained and re-runnable (IF NOT EXISTS): other migrations may land beside it.
  `
  CREATE TABLE IF NOT EXISTS inbound_dead_letters (
    message_sid TEXT PRIMARY KEY,
    conversation_sid TEXT NOT NULL,
    author TEXT NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    body_length INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS inbound_dead_letters_by_age ON inbound_dead_letters (recorded_at);
  `,
  // 10: conversations by their last activity (a customer message, else creation), so
  // catch-up reads only the active ones whatever the number ever seen. (A send attempt's
  // deadline got its column in 14.) Re-runnable (IF NOT EXISTS).
  `
  CREATE INDEX IF NOT EXISTS conversations_by_activity
    ON conversations (coalesce(last_inbound_at, created_at));
  `,
  // 11: a dead letter's messages leave the claim's walk. They stay `pending` (what the
  // conversation owes, for every other reader) but are `parked` while it is dead, so a claim
  // reads the same however many conversations are dead-lettered (it read every one of their
  // pending messages, each claim). The triggers keep `parked` true exactly while the
  // conversation is dead, whichever statement moves it in or out; ingest parks a message
  // that arrives in a dead conversation (insertMessage).
  `
  ALTER TABLE messages ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET parked = 1 WHERE status = 'pending'
    AND conversation_sid IN (SELECT conversation_sid FROM conversations WHERE state = 'dead');
  CREATE INDEX messages_waiting ON messages (conversation_sid, ingested_at)
    WHERE status = 'pending' AND parked = 0;
  CREATE TRIGGER conversations_park_dead AFTER UPDATE OF state ON conversations
    WHEN new.state = 'dead' AND old.state <> 'dead'
  BEGIN
    UPDATE messages SET parked = 1
      WHERE conversation_sid = new.conversation_sid AND status = 'pending';
  END;
  CREATE TRIGGER conversations_unpark_revived AFTER UPDATE OF state ON conversations
    WHEN old.state = 'dead' AND new.state <> 'dead'
  BEGIN
    UPDATE messages SET parked = 0
      WHERE conversation_sid = new.conversation_sid AND parked = 1;
  END;
  `,
  // 12: the send claim walks the open replies in the order they fall due and keeps the heads
  // (outboxHeads), instead of grouping every open reply by conversation on each claim; the
  // replies behind a head that waits for its retry wait with it (the retry's time is copied
  // to them, and to replies added behind them), so in a Twilio outage a claim no longer reads
  // every queued reply. Nothing needs releasing: a head is retried only once it was due, so
  // its followers' time is never later than the moment it is sent. Only when a row is due
  // changes, never which row is the head. PostgreSQL does the same (its schema 20).
  `
  CREATE INDEX IF NOT EXISTS outbox_due_at ON outbox ((CASE WHEN status = 'pending'
      THEN coalesce(next_attempt_at, created_at) ELSE lease_expires_at END), id)
    WHERE status IN ('pending', 'sending');
  CREATE TRIGGER IF NOT EXISTS outbox_hold_followers AFTER UPDATE OF next_attempt_at ON outbox
    WHEN old.status = 'sending' AND new.status = 'pending' AND new.next_attempt_at IS NOT NULL
  BEGIN
    UPDATE outbox SET next_attempt_at = new.next_attempt_at
      WHERE conversation_sid = new.conversation_sid AND status = 'pending' AND seq > new.seq
        AND (next_attempt_at IS NULL OR next_attempt_at < new.next_attempt_at);
  END;
  CREATE TRIGGER IF NOT EXISTS outbox_join_held AFTER INSERT ON outbox
    WHEN new.status = 'pending' AND new.next_attempt_at IS NULL
  BEGIN
    UPDATE outbox SET next_attempt_at = (SELECT max(o.next_attempt_at) FROM outbox o
        WHERE o.conversation_sid = new.conversation_sid AND o.status = 'pending')
      WHERE id = new.id AND EXISTS (SELECT 1 FROM outbox o
        WHERE o.conversation_sid = new.conversation_sid AND o.status = 'pending'
          AND o.next_attempt_at IS NOT NULL);
  END;
  `,
  // 13: customers by creation, so the console's list (`listCustomers`) finds the customers
  // without a conversation among the newest instead of reading every customer. Re-runnable.
  `
  CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created_at);
  `,
  // 14: the deadline of a send attempt in flight (attempt start + the sender's bounded request
  // time), as PostgreSQL keeps it (its migration 14): a new owner of the file releases a dead
  // owner's send only once that request has landed or been cut off, instead of at once —
  // which resent a reply whose slow request then landed too.
  `
  ALTER TABLE outbox ADD COLUMN attempt_deadline INTEGER;
  `,
];

/** Brings the file to the latest schema version, in one transaction. */
export function migrate(database: Database, location: string): void {
  database.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = database.prepare("SELECT max(version) AS version FROM schema_version").get() as {
    version: number | null;
  };
  const current = row.version ?? 0;
  if (current > sqliteMigrations.length) {
    throw new MailboxOpenError(
      location,
      `The mailbox at ${location} is at schema version ${current}, newer than this switchboard ` +
        `understands (${sqliteMigrations.length}). Upgrade switchboard or point it at another file.`,
    );
  }
  const apply = database.transaction(() => {
    for (let version = current + 1; version <= sqliteMigrations.length; version++) {
      database.exec(sqliteMigrations[version - 1]!);
      database.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
    }
  });
  apply.immediate();
}
