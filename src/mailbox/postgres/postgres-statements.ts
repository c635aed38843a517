import pg from "pg";
import { postgresCustomerStatements } from "./postgres-customer-statements.js";
import { postgresInboundDeadLetterStatements } from "./postgres-inbound-dead-letters.js";
import { postgresLedgerStatements } from "./postgres-ledger-statements.js";
import { postgresTurnContextStatements } from "./postgres-turn-context-statements.js";

/**
 * The PostgreSQL mailbox's SQL, by name, with every table qualified by the mailbox schema (so
 * it works on any pool whatever its `search_path`). Times are parameters from the store clock.
 */
export function postgresStatements(schema: string) {
  const s = `${pg.escapeIdentifier(schema)}.`;
  const pendingCount = `(SELECT count(*) FROM ${s}messages m
      WHERE m.conversation_sid = c.conversation_sid AND m.status = 'pending') AS pending_count`;
  return {
    conversation: `SELECT c.*, ${pendingCount} FROM ${s}conversations c WHERE c.conversation_sid = $1`,
    // `conversation` of several rows at once (reads asked in one loop turn).
    conversationsById: `SELECT c.*, ${pendingCount} FROM ${s}conversations c
      WHERE c.conversation_sid = ANY($1::text[])`,
    lockConversation: `SELECT c.* FROM ${s}conversations c WHERE c.conversation_sid = $1 FOR UPDATE`,
    // What a sender knows of a conversation it opened itself (`enqueueReply`'s `known`): only
    // where the mailbox knows nothing, so a message's own facts always win.
    fillConversation: `UPDATE ${s}conversations SET channel = coalesce(channel, $2),
        customer_address = coalesce(customer_address, $3),
        proxy_address = coalesce(proxy_address, $4)
      WHERE conversation_sid = $1
        AND (channel IS NULL OR customer_address IS NULL OR proxy_address IS NULL)`,
    insertConversation: `INSERT INTO ${s}conversations (conversation_sid, created_at, updated_at)
      VALUES ($1, $2, $2) ON CONFLICT (conversation_sid) DO NOTHING`,
    insertKeys: `INSERT INTO ${s}dedupe_keys (key, created_at)
      SELECT key, $2 FROM unnest($1::text[]) AS key ON CONFLICT (key) DO NOTHING RETURNING key`,
    // Creates or updates the conversation and returns what ingest needs, locking the row until
    // the batch commits (claims skip it meanwhile, and see the message once it is committed).
    touchConversation: `INSERT INTO ${s}conversations AS c (conversation_sid, service_sid, channel,
        customer_address, proxy_address, last_index, last_inbound_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
      ON CONFLICT (conversation_sid) DO UPDATE SET
        service_sid = coalesce(excluded.service_sid, c.service_sid),
        channel = excluded.channel,
        customer_address = coalesce(excluded.customer_address, c.customer_address),
        proxy_address = coalesce(excluded.proxy_address, c.proxy_address),
        last_index = greatest(coalesce(c.last_index, -1), excluded.last_index),
        last_inbound_at = CASE WHEN excluded.last_inbound_at IS NULL THEN c.last_inbound_at
          ELSE greatest(coalesce(c.last_inbound_at, 0), excluded.last_inbound_at) END,
        updated_at = excluded.updated_at
      RETURNING c.state, c.policy_mode, c.policy_window_ms, c.lease_owner, c.lease_version,
        c.lease_expires_at, c.turn_message_sids[1] AS turn_id`,
    insertMessage: `INSERT INTO ${s}messages (message_sid, conversation_sid, message_index, role,
        status, record, ingested_at, parked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    hasMessage: `SELECT 1 FROM ${s}messages WHERE message_sid = $1`,
    deleteKeys: `DELETE FROM ${s}dedupe_keys WHERE key = ANY($1::text[])`,
    markMessages: `UPDATE ${s}messages SET status = $1
      WHERE conversation_sid = $2 AND message_sid = ANY($3::text[]) AND status = 'pending'
      RETURNING message_index`,
    // `claim` in one round trip (migration 16's function, its walk revised in 19, which
    // re-states the turn rules of core/turn-rules.ts): $1 worker, $2 max, $3 lease expiry,
    // $4 now, $5 instance, $6 settleWindowMs, $7 maxAttempts, $8/$9 the default policy's mode
    // and window, $10 the most messages of one turn. One row per lease, oldest waiting first.
    claimTurnsCall: `SELECT o_conversation, o_pending_count, o_last_processed, o_attempts,
        o_messages
      FROM ${s}claim_turns($1::text, $2::integer, $3::double precision, $4::double precision,
        $5::text, $6::double precision, $7::integer, $8::text, $9::double precision,
        $10::integer)`,
    heartbeat: `UPDATE ${s}conversations SET lease_expires_at = $1
      WHERE conversation_sid = $2 AND state = 'leased' AND lease_version = $3 AND lease_owner = $4`,
    // Gives a turn back uncounted: the next claim of the same turn adds the attempt again.
    releaseLease: `UPDATE ${s}conversations SET state = 'idle', lease_owner = NULL,
        lease_expires_at = NULL, next_attempt_at = NULL, attempts = greatest(attempts - 1, 0),
        updated_at = $1
      WHERE conversation_sid = $2 AND state = 'leased' AND lease_version = $3 AND lease_owner = $4`,
    release: `UPDATE ${s}conversations SET state = $2, lease_owner = NULL, lease_expires_at = NULL,
        attempts = 0, last_error = NULL, next_attempt_at = NULL, dead_at = NULL,
        turn_message_sids = NULL,
        last_processed_index = greatest(coalesce(last_processed_index, -1), $3),
        outbox_seq = $4, updated_at = $5
      WHERE conversation_sid = $1`,
    backoff: `UPDATE ${s}conversations SET state = 'backoff', lease_owner = NULL,
        lease_expires_at = NULL, last_error = $1, next_attempt_at = $2, updated_at = $3
      WHERE conversation_sid = $4`,
    deadLetter: `UPDATE ${s}conversations SET state = 'dead', lease_owner = NULL,
        lease_expires_at = NULL, next_attempt_at = NULL, last_error = $1, dead_at = $2,
        updated_at = $2
      WHERE conversation_sid = $3`,
    // LIMIT NULL: every one.
    deadLetters: `SELECT c.* FROM ${s}conversations c WHERE c.state = 'dead'
      ORDER BY c.dead_at, c.conversation_sid LIMIT $1`,
    stats: `SELECT (SELECT COUNT(*) FROM ${s}messages WHERE status = 'pending')::int AS pending,
      (SELECT COUNT(*) FROM ${s}conversations WHERE state = 'dead')::int AS dead`,
    revive: `UPDATE ${s}conversations SET state = 'idle', attempts = 0, last_error = NULL,
        dead_at = NULL, next_attempt_at = NULL, turn_message_sids = NULL, updated_at = $1
      WHERE conversation_sid = $2 AND state = 'dead' RETURNING conversation_sid`,
    // Per conversation only the oldest unsettled reply, when due; claimed rows are locked so
    // concurrent senders skip them. `claim_outbox` (migration 18) walks the open rows in the
    // order they fall due (`outbox_due_at`) and stops after $2 conversation heads, so neither
    // sent rows nor rows waiting for a retry are read, however many there are.
    claimOutbox: `SELECT * FROM ${s}claim_outbox($1, $2, $3, $4, $5)`,
    // Fenced like a settle: only the current claim, only while its lease runs (a lease the
    // liveness sweep released has run out).
    startSendAttempt: `UPDATE ${s}outbox SET attempt_deadline = $3,
        lease_expires_at = greatest(lease_expires_at, $3::double precision)
      WHERE id = $1 AND claim_version = $2 AND status = 'sending'
        AND lease_expires_at > $4::double precision`,
    // `startSendAttempt` of several rows ($1 ids, $2 claim versions, $3 deadlines; $4 now),
    // each fenced as alone; answers the (id, claim version) pairs that started.
    startSendAttempts: `UPDATE ${s}outbox o SET attempt_deadline = b.deadline,
        lease_expires_at = greatest(o.lease_expires_at, b.deadline)
      FROM unnest($1::bigint[], $2::bigint[], $3::double precision[])
        AS b (id, claim_version, deadline)
      WHERE o.id = b.id AND o.claim_version = b.claim_version AND o.status = 'sending'
        AND o.lease_expires_at > $4::double precision
      RETURNING o.id, o.claim_version`,
    lockOutboxRow: `SELECT * FROM ${s}outbox WHERE id = $1 FOR UPDATE`,
    settleFailed: `UPDATE ${s}outbox SET status = 'failed', last_error = $1, settled_at = $2,
        lease_owner = NULL, lease_expires_at = NULL WHERE id = $3`,
    // A throttled try gives its attempt back ($4): Twilio never processed it.
    settleRetry: `UPDATE ${s}outbox SET status = 'pending', last_error = $1, next_attempt_at = $2,
        lease_owner = NULL, lease_expires_at = NULL,
        attempts = CASE WHEN $4::boolean THEN greatest(attempts - 1, 0) ELSE attempts END,
        last_error_throttled = $4::boolean,
        throttled_count = throttled_count + CASE WHEN $4::boolean THEN 1 ELSE 0 END,
        last_outcome = $5, must_reconcile = $5 = 'ambiguous'
      WHERE id = $3`,
    outboxReplyExists: `SELECT 1 FROM ${s}outbox WHERE reply_id = $1`,
    // Appends one reply after the conversation's others (the caller holds the row lock).
    enqueueReply: `INSERT INTO ${s}outbox (reply_id, conversation_sid, seq, turn_id, position,
        after_index, channel, to_address, from_address, reply, status, created_at)
      SELECT $1, $2, $3, $4,
        (SELECT coalesce(max(p.position) + 1, 0) FROM ${s}outbox p WHERE p.turn_id = $4),
        coalesce((SELECT max(a.after_index) FROM ${s}outbox a WHERE a.conversation_sid = $2), $5),
        $6, $7, $8, $9, 'pending', $10
      ON CONFLICT (reply_id) DO NOTHING
      RETURNING id`,
    setOutboxSeq: `UPDATE ${s}conversations SET outbox_seq = $1, updated_at = $2
      WHERE conversation_sid = $3`,
    recentMessages: `SELECT * FROM ${s}messages WHERE conversation_sid = $1
      ORDER BY message_index DESC, message_sid DESC LIMIT $2`,
    recentOutbox: `SELECT * FROM ${s}outbox WHERE conversation_sid = $1
      ORDER BY after_index DESC, seq DESC LIMIT $2`,
    // `recentMessages` and `recentOutbox` of several conversations ($1) in one statement each:
    // every conversation keeps its own newest $2 (a lateral scan of its index per conversation).
    recentMessagesOf: `SELECT m.* FROM unnest($1::text[]) AS w (sid) CROSS JOIN LATERAL (
        SELECT * FROM ${s}messages WHERE conversation_sid = w.sid
        ORDER BY message_index DESC, message_sid DESC LIMIT $2) m`,
    recentOutboxOf: `SELECT o.* FROM unnest($1::text[]) AS w (sid) CROSS JOIN LATERAL (
        SELECT * FROM ${s}outbox WHERE conversation_sid = w.sid
        ORDER BY after_index DESC, seq DESC LIMIT $2) o`,
    setPolicy: `UPDATE ${s}conversations SET policy_mode = $1, policy_window_ms = $2, updated_at = $3
      WHERE conversation_sid = $4`,
    handoffOn: `UPDATE ${s}conversations SET state = 'handoff', lease_owner = NULL,
        lease_expires_at = NULL, lease_version = lease_version + 1, attempts = 0,
        next_attempt_at = NULL, dead_at = NULL, last_error = NULL, turn_message_sids = NULL,
        updated_at = $1
      WHERE conversation_sid = $2`,
    handoffPending: `UPDATE ${s}messages SET status = 'handoff'
      WHERE conversation_sid = $1 AND status = 'pending'`,
    handoffOff: `UPDATE ${s}conversations SET state = 'idle', updated_at = $1
      WHERE conversation_sid = $2 AND state = 'handoff'`,
    // Once only: the first mark wins, so exactly one caller learns it is new.
    markGone: `UPDATE ${s}conversations SET gone_at = $1, gone_reason = $2, updated_at = $1
      WHERE conversation_sid = $3 AND gone_at IS NULL`,
    known: `SELECT conversation_sid FROM ${s}conversations ORDER BY created_at, conversation_sid`,
    // The expression matches the index conversations_by_activity (range and order alike).
    // $3: gone ones too (the console's list).
    active: `SELECT c.*, ${pendingCount} FROM ${s}conversations c
      WHERE coalesce(c.last_inbound_at, c.created_at) >= $1::double precision
        AND (c.gone_at IS NULL OR $3::boolean)
      ORDER BY coalesce(c.last_inbound_at, c.created_at) DESC, c.conversation_sid LIMIT $2`,
    lastIndex: `SELECT last_index FROM ${s}conversations WHERE conversation_sid = $1`,
    // `MailboxStore.indexGap` in one round trip: the settle rule's count of recorded indexes
    // strictly between $2 and $3, and the replies being sent right now (claimed, not
    // settled), each of which may hold an Index at Twilio the mailbox does not know yet.
    indexGap: `SELECT (SELECT count(*) FROM (
          SELECT message_index FROM ${s}messages WHERE conversation_sid = $1
            AND message_index > $2 AND message_index < $3
          UNION SELECT sent_index FROM ${s}outbox WHERE conversation_sid = $1
            AND sent_index > $2 AND sent_index < $3) r)::integer AS recorded,
        (SELECT count(*) FROM ${s}outbox
          WHERE conversation_sid = $1 AND status = 'sending')::integer AS sending`,
    getMeta: `SELECT value FROM ${s}meta WHERE key = $1`,
    setMeta: `INSERT INTO ${s}meta (key, value) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    gcMessages: `DELETE FROM ${s}messages WHERE status <> 'pending' AND ingested_at < $1`,
    gcOutbox: `DELETE FROM ${s}outbox WHERE settled_at IS NOT NULL AND settled_at < $1`,
    gcKeys: `DELETE FROM ${s}dedupe_keys WHERE created_at < $1`,
    // Bound to the message's row: a message the mailbox does not hold stores nothing.
    saveTranscripts: `INSERT INTO ${s}media_transcripts
        (message_sid, media_index, conversation_sid, text, recorded_at)
      SELECT m.message_sid, t.media_index, m.conversation_sid, t.text, $2::double precision
      FROM ${s}messages m, unnest($3::integer[], $4::text[]) AS t(media_index, text)
      WHERE m.message_sid = $1
      ON CONFLICT (message_sid, media_index) DO UPDATE SET text = excluded.text,
        recorded_at = excluded.recorded_at`,
    transcripts: `SELECT media_index AS "mediaIndex", text FROM ${s}media_transcripts
      WHERE message_sid = $1 ORDER BY media_index`,
    gcTranscripts: `DELETE FROM ${s}media_transcripts t WHERE NOT EXISTS (
        SELECT 1 FROM ${s}messages m WHERE m.message_sid = t.message_sid)`,
    // This instance is alive until $2 (store clock).
    keepAlive: `INSERT INTO ${s}instances (instance_id, alive_until) VALUES ($1, $2)
      ON CONFLICT (instance_id) DO UPDATE SET alive_until = excluded.alive_until`,
    // A closing instance lapses at once, so the others take over whatever it still holds.
    lapse: `UPDATE ${s}instances SET alive_until = '-Infinity' WHERE instance_id = $1`,
    // Instances whose liveness lapsed before $1 are forgotten, and the turn and send leases
    // naming an instance that has no live row are made expired now: the usual expiry path
    // then takes them (an attempt counted; a send looks before resending). Only leased rows
    // are read (partial indexes), whatever the number of conversations.
    releaseLapsed: `WITH gone AS (
        DELETE FROM ${s}instances WHERE alive_until < $1::double precision RETURNING instance_id),
      turns AS (UPDATE ${s}conversations c SET lease_expires_at = $1::double precision
        WHERE c.state = 'leased' AND c.lease_instance IS NOT NULL
          AND c.lease_expires_at > $1::double precision
          AND (c.lease_instance IN (SELECT instance_id FROM gone) OR NOT EXISTS (
            SELECT 1 FROM ${s}instances i WHERE i.instance_id = c.lease_instance))
        RETURNING c.conversation_sid),
      sends AS (UPDATE ${s}outbox o
        SET lease_expires_at = greatest($1::double precision, coalesce(o.attempt_deadline, $1))
        WHERE o.status = 'sending' AND o.lease_instance IS NOT NULL
          -- A send with a request in flight keeps its lease until that request has landed or
          -- timed out (attempt_deadline): the taker looks for the reply only then. One only
          -- claimed is taken at once. Rows already cut to that are not touched again.
          AND o.lease_expires_at > greatest($1::double precision, coalesce(o.attempt_deadline, $1))
          AND (o.lease_instance IN (SELECT instance_id FROM gone) OR NOT EXISTS (
            SELECT 1 FROM ${s}instances i WHERE i.instance_id = o.lease_instance))
        RETURNING o.conversation_sid)
      SELECT (SELECT array_agg(conversation_sid) FROM turns) AS turns,
        (SELECT array_agg(conversation_sid) FROM sends) AS sends`,
    handoffNote: `SELECT reason, source, summary, started_at AS "startedAt",
        released_at AS "releasedAt", released_by AS "releasedBy" FROM ${s}handoff_notes
        WHERE conversation_sid = $1`,
    releaseNote: `UPDATE ${s}handoff_notes SET released_at = $1, released_by = $2
        WHERE conversation_sid = $3`,
    waitingForPerson: `SELECT n.conversation_sid AS "conversationSid", n.reason, n.source,
        n.summary, n.started_at AS "startedAt", n.released_at AS "releasedAt",
        n.released_by AS "releasedBy"
      FROM ${s}handoff_notes n JOIN ${s}conversations c ON c.conversation_sid = n.conversation_sid
      WHERE c.state = 'handoff' ORDER BY n.started_at, n.conversation_sid LIMIT $1`,
    noteHandoff: `INSERT INTO ${s}handoff_notes (conversation_sid, reason, source, summary, started_at)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_sid) DO UPDATE SET
          reason = excluded.reason, source = excluded.source, summary = excluded.summary,
          started_at = excluded.started_at, released_at = NULL, released_by = NULL`,
    journalGet: `SELECT name, value FROM ${s}tool_journal WHERE conversation_sid = $1 AND key = $2`,
    // Whether a turn journaled any step: the interrupt policy leaves such a turn running.
    journalHasTurn: `SELECT 1 FROM ${s}tool_journal WHERE conversation_sid = $1 AND turn_id = $2
      LIMIT 1`,
    journalInsert: `INSERT INTO ${s}tool_journal (conversation_sid, key, turn_id, name, value,
        recorded_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    // A turn still pending (backoff, dead letter) keeps its journal: its retry replays it.
    gcJournal: `DELETE FROM ${s}tool_journal j WHERE j.recorded_at < $1 AND NOT EXISTS (
        SELECT 1 FROM ${s}messages m WHERE m.message_sid = j.turn_id AND m.status = 'pending')`,
    notify: "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
    // Several channels' payloads in one statement ($1 channels, $2 payloads, in pairs), sent
    // in this order.
    notifyMany: `SELECT pg_notify(n.channel, n.payload)
      FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS n (channel, payload, position)
      ORDER BY n.position`,
    // A whole ingest batch in one round trip (migration 13's function; 19 parks what
    // arrives in a dead letter; 22 says which messages the settle window cannot hold back).
    ingestBatch: `SELECT o_status, o_policy_mode, o_policy_window_ms, o_interrupted_version,
        o_gap_free
      FROM ${s}ingest_batch_v2($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::double precision[],
      $13::text[], $14, $15, $16)`,
    // `complete` and a sent `settleOutbox` in one round trip each (migration 15's functions,
    // through 22's, which also say what work the conversation has left).
    // complete_turn of several turns ($1 a JSON array of their arguments with each one's
    // `position`; $2 now), called in the array's order; each row names its position.
    completeTurns: `SELECT b.position, r.o_outcome AS outcome, r.o_pending_left AS pending_left
      FROM json_to_recordset($1::json) AS b (position integer, sid text, version bigint,
        owner text, message_sids text[], handoff boolean, last_index bigint, turn_id text,
        reply_ids text[], positions integer[], replies text[])
      CROSS JOIN LATERAL ${s}complete_turn_v2(b.sid, b.version, b.owner, b.message_sids,
        b.handoff, b.last_index, b.turn_id, $2::double precision, b.reply_ids, b.positions,
        b.replies) r`,
    settleSentCall: `SELECT o_outcome, o_conversation_sid, o_open_left
      FROM ${s}settle_sent_v2($1, $2, $3, $4, $5)`,
    // settle_sent of several rows ($1 ids, $2 message SIDs, $3 dedupe keys, $5 indexes; $4
    // now), each call deciding its own row as alone, answered in the given order.
    settleSentMany: `SELECT r.o_outcome, r.o_conversation_sid, r.o_open_left
      FROM unnest($1::bigint[], $2::text[], $3::text[], $5::bigint[]) WITH ORDINALITY
        AS b (id, message_sid, key, sent_index, position)
      CROSS JOIN LATERAL ${s}settle_sent_v2(b.id, b.message_sid, b.key, $4::double precision,
        b.sent_index) r
      ORDER BY b.position`,
    ...postgresLedgerStatements(s),
    ...postgresCustomerStatements(s, pendingCount),
    ...postgresInboundDeadLetterStatements(s),
    ...postgresTurnContextStatements(s),
  } as const;
}

/** The statements of one schema. */
export type PostgresStatements = ReturnType<typeof postgresStatements>;
