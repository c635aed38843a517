// Over 400 lines on purpose: the append-only list of shipped migrations (never edited, only
// extended) and the code that applies them live together, so a version is one array index.
import pg from "pg";
import { ConfigError } from "../../errors.js";
import { MailboxOpenError } from "../mailbox-errors.js";
import {
  connectPostgresPool,
  type OpenedPool,
  openPostgresPool,
  type PostgresConnectionOptions,
  type PostgresPoolPlan,
} from "./open-postgres-pool.js";
import { checkout } from "./postgres-connection.js";
import { describeTarget } from "./postgres-errors.js";

/**
 * Versioned migrations of the PostgreSQL mailbox. Append only: never edit a shipped entry; add
 * the next version. Each runs with `search_path` set to the mailbox schema, so the SQL names
 * tables without a schema. Times are epoch milliseconds from the store's clock (`double precision`: exact for whole
 * milliseconds, and a custom clock may return fractions), never
 * the server's `now()`, so the store's injected clock is the only clock.
 */
export const postgresMigrations: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE conversations (
    conversation_sid text PRIMARY KEY,
    service_sid text,
    channel text,
    customer_address text,
    proxy_address text,
    state text NOT NULL DEFAULT 'idle'
      CHECK (state IN ('idle', 'leased', 'backoff', 'dead', 'handoff')),
    policy_mode text CHECK (policy_mode IN ('queue', 'burst')),
    policy_window_ms bigint,
    lease_owner text,
    lease_expires_at double precision,
    lease_version bigint NOT NULL DEFAULT 0,
    next_attempt_at double precision,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    dead_at double precision,
    turn_message_sids text[],
    last_processed_index bigint,
    last_index bigint,
    last_inbound_at double precision,
    outbox_seq bigint NOT NULL DEFAULT 0,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
  );
  CREATE INDEX conversations_by_state ON conversations (state, next_attempt_at);

  CREATE TABLE messages (
    message_sid text PRIMARY KEY,
    conversation_sid text NOT NULL,
    message_index bigint NOT NULL,
    role text NOT NULL,
    status text NOT NULL,
    record text NOT NULL,
    ingested_at double precision NOT NULL
  );
  CREATE INDEX messages_by_index ON messages (conversation_sid, message_index);
  CREATE INDEX messages_pending ON messages (conversation_sid, message_index, message_sid)
    WHERE status = 'pending';
  CREATE INDEX messages_by_age ON messages (ingested_at) WHERE status <> 'pending';

  CREATE TABLE dedupe_keys (
    key text PRIMARY KEY,
    created_at double precision NOT NULL
  );
  CREATE INDEX dedupe_keys_by_age ON dedupe_keys (created_at);

  CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reply_id text NOT NULL UNIQUE,
    conversation_sid text NOT NULL,
    seq bigint NOT NULL,
    turn_id text NOT NULL,
    position integer NOT NULL,
    after_index bigint NOT NULL,
    channel text,
    to_address text,
    from_address text,
    reply text NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    claim_version bigint NOT NULL DEFAULT 0,
    lease_owner text,
    lease_expires_at double precision,
    next_attempt_at double precision,
    last_error text,
    message_sid text,
    created_at double precision NOT NULL,
    settled_at double precision
  );
  CREATE UNIQUE INDEX outbox_order ON outbox (conversation_sid, seq);
  CREATE INDEX outbox_open ON outbox (conversation_sid, seq)
    WHERE status IN ('pending', 'sending');
  CREATE INDEX outbox_by_settled ON outbox (settled_at) WHERE settled_at IS NOT NULL;

  CREATE TABLE meta (
    key text PRIMARY KEY,
    value text NOT NULL
  );
  `,
  // 2: the shared request pacer (postgresPacer): one row per granted action, kept briefly.
  `
  CREATE TABLE pacer_grants (
    key text NOT NULL,
    granted_at double precision NOT NULL
  );
  CREATE INDEX pacer_grants_by_key ON pacer_grants (key, granted_at);
  CREATE INDEX pacer_grants_by_age ON pacer_grants (granted_at);
  `,
  // 3: the Index of a sent reply (the settle rule counts it as recorded), and whether the
  // last try of a reply was throttled (a 429 does not count as an attempt).
  `
  ALTER TABLE outbox ADD COLUMN sent_index bigint;
  ALTER TABLE outbox ADD COLUMN last_error_throttled boolean NOT NULL DEFAULT false;
  CREATE INDEX outbox_by_sent_index ON outbox (conversation_sid, sent_index)
    WHERE sent_index IS NOT NULL;
  `,
  // 4: a reply's send state as typed columns instead of a note the sender appended to
  // last_error: 429s so far, what the last retry knew of its try, and whether the next try
  // must look for the reply before sending. Rows left mid-send by an older version keep the
  // meaning of their note: only a note saying `unsent` lets the next try send without looking.
  `
  ALTER TABLE outbox ADD COLUMN throttled_count integer NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN last_outcome text CHECK (last_outcome IN ('unsent', 'ambiguous'));
  ALTER TABLE outbox ADD COLUMN must_reconcile boolean NOT NULL DEFAULT false;
  UPDATE outbox SET
    throttled_count = coalesce(substring(last_error from ' throttled=([0-9]{1,6}) outcome=[a-z]+]$')::integer, 0),
    last_outcome = substring(last_error from ' outcome=(unsent|ambiguous)]$'),
    must_reconcile = last_error IS NULL OR last_error NOT LIKE '% outcome=unsent]'
  WHERE status IN ('pending', 'sending') AND attempts > 0;
  `,
  // 5: a conversation Twilio no longer has (it answered 404), marked once by markGone.
  // Idempotent, like every later one, so a test that rewinds an earlier version can re-apply it.
  `
  ALTER TABLE conversations ADD COLUMN IF NOT EXISTS gone_at double precision;
  ALTER TABLE conversations ADD COLUMN IF NOT EXISTS gone_reason text;
  `,
  // 6: instance liveness. Each open store keeps a row alive; the turn and send leases it takes
  // name it, so the others release the leases of an instance whose row lapsed (a kill -9)
  // within seconds instead of a lease length. Leases without an instance (older versions)
  // keep expiring on their own. Idempotent, so a test that rewinds an earlier version can
  // re-apply everything after it.
  `
  CREATE TABLE IF NOT EXISTS instances (
    instance_id text PRIMARY KEY,
    alive_until double precision NOT NULL
  );
  ALTER TABLE conversations ADD COLUMN IF NOT EXISTS lease_instance text;
  ALTER TABLE outbox ADD COLUMN IF NOT EXISTS lease_instance text;
  CREATE INDEX IF NOT EXISTS conversations_leased ON conversations (lease_instance)
    WHERE state = 'leased';
  CREATE INDEX IF NOT EXISTS outbox_sending ON outbox (lease_instance) WHERE status = 'sending';
  `,
  // 7: delivery status per outbound message (from receipts) and consent per customer
  // address. Idempotent, like the ones before it.
  `
  CREATE TABLE IF NOT EXISTS deliveries (
    message_sid text PRIMARY KEY,
    conversation_sid text NOT NULL,
    status text NOT NULL,
    error_code integer,
    channel text,
    updated_at double precision NOT NULL,
    recorded_at double precision NOT NULL
  );
  CREATE INDEX IF NOT EXISTS deliveries_by_conversation ON deliveries (conversation_sid, recorded_at);
  CREATE INDEX IF NOT EXISTS deliveries_by_age ON deliveries (recorded_at);

  CREATE TABLE IF NOT EXISTS consent (
    address text PRIMARY KEY,
    state text NOT NULL,
    reason text NOT NULL,
    detail text,
    changed_at double precision NOT NULL
  );
  `,
  // 8: the handoff note (why, who, a summary, since when: the waiting queue's age) and
  // the tool journal — one row per completed step of a turn (a tool call's result),
  // so a re-run of the turn replays it instead of repeating the effect. `turn_id` lets garbage
  // collection keep the rows of a turn that is still pending. Written to be re-runnable (IF NOT
  // EXISTS): a test that rolls the file back to an earlier version replays it. The value is JSON text, not
  // jsonb: it must come back exactly as the agent recorded it.
  `
  CREATE TABLE IF NOT EXISTS tool_journal (
    conversation_sid text NOT NULL,
    key text NOT NULL,
    turn_id text NOT NULL,
    name text NOT NULL,
    value text NOT NULL,
    recorded_at double precision NOT NULL,
    PRIMARY KEY (conversation_sid, key)
  );
  CREATE INDEX IF NOT EXISTS tool_journal_by_age ON tool_journal (recorded_at);
  CREATE TABLE IF NOT EXISTS handoff_notes (
    conversation_sid text PRIMARY KEY,
    reason text NOT NULL,
    source text NOT NULL,
    summary text NOT NULL,
    started_at double precision NOT NULL,
    released_at double precision,
    released_by text
  );
  `,
  // 9: customers above conversations: one record per person, the addresses it is known by
  // (an address belongs to at most one customer: the primary key), and who holds it in a
  // handoff. A conversation is a customer's through its (channel, customer_address), hence
  // the index. Re-runnable (IF NOT EXISTS), like 8.
  `
  CREATE TABLE IF NOT EXISTS customers (
    customer_id text PRIMARY KEY,
    created_at double precision NOT NULL,
    handoff_conversation_sid text,
    handoff_since double precision
  );
  CREATE TABLE IF NOT EXISTS customer_addresses (
    kind text NOT NULL CHECK (kind IN ('sms', 'whatsapp', 'chat', 'app')),
    value text NOT NULL,
    customer_id text NOT NULL,
    source text NOT NULL,
    linked_at double precision NOT NULL,
    PRIMARY KEY (kind, value)
  );
  CREATE INDEX IF NOT EXISTS customer_addresses_by_customer ON customer_addresses (customer_id);
  CREATE INDEX IF NOT EXISTS conversations_by_customer_address
    ON conversations (customer_address, channel);
  `,
  // 10: the interrupt turn policy. The first schema's CHECK allowed only queue and burst; it is
  // replaced by name (PostgreSQL's name for a column CHECK), so re-running this is harmless.
  `
  ALTER TABLE conversations DROP CONSTRAINT IF EXISTS conversations_policy_mode_check;
  ALTER TABLE conversations ADD CONSTRAINT conversations_policy_mode_check
    CHECK (policy_mode IN ('queue', 'burst', 'interrupt'));
  `,
  // 11: voice-note transcripts by message and media position, with the message's conversation, so
  // garbage collection removes them with their message. Those an earlier version kept in
  // meta (`transcripts:<IM…>`, a JSON object by position) move here when their message is
  // still held (a value that is not a JSON object is skipped); the meta rows go either way.
  // Re-runnable (IF NOT EXISTS, ON CONFLICT DO NOTHING).
  `
  CREATE TABLE IF NOT EXISTS media_transcripts (
    message_sid text NOT NULL,
    media_index integer NOT NULL,
    conversation_sid text NOT NULL,
    text text NOT NULL,
    recorded_at double precision NOT NULL,
    PRIMARY KEY (message_sid, media_index)
  );
  DO $$
  DECLARE
    old record;
  BEGIN
    FOR old IN SELECT m.message_sid, m.conversation_sid, m.ingested_at, meta.value
      FROM meta JOIN messages m ON m.message_sid = substr(meta.key, 13)
      WHERE meta.key LIKE 'transcripts:%'
    LOOP
      BEGIN
        INSERT INTO media_transcripts
          (message_sid, media_index, conversation_sid, text, recorded_at)
        SELECT old.message_sid, j.key::integer, old.conversation_sid, j.value, old.ingested_at
        FROM jsonb_each_text(old.value::jsonb) j
        WHERE j.key ~ '^[0-9]{1,2}$' AND j.value <> ''
        ON CONFLICT DO NOTHING;
      EXCEPTION WHEN others THEN
        NULL;
      END;
    END LOOP;
  END $$;
  DELETE FROM meta WHERE key LIKE 'transcripts:%';
  `,
  // 12: inbound dead letters: a summary (never the body) of each correctly signed message the mailbox
  // refused for good, once per message SID, so it is visible instead of retried forever or
  // lost. Self-contained and re-runnable (IF NOT EXISTS): other migrations may land beside it.
  `
  CREATE TABLE IF NOT EXISTS inbound_dead_letters (
    message_sid text PRIMARY KEY,
    conversation_sid text NOT NULL,
    author text NOT NULL,
    field text NOT NULL,
    reason text NOT NULL,
    body_length integer NOT NULL,
    recorded_at double precision NOT NULL,
    -- Insertion order, for letters recorded within the same millisecond.
    seq bigint GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX IF NOT EXISTS inbound_dead_letters_by_age ON inbound_dead_letters (recorded_at, seq);
  `,
  // 13: ingest in one round trip. The batch's messages travel as parallel arrays; the function
  // takes each one's dedupe keys, upserts its conversation and inserts it, exactly like the
  // per-statement path (ingestOne in ingest-batch.ts), interrupt rule included, then queues
  // ONE coalesced NOTIFY per ~7 KB of woken conversations instead of one per message (and one
  // per interrupt, which names its lease version). Called in autocommit, so the call is its
  // own transaction. `SET search_path FROM CURRENT` pins it to the schema it was created in.
  // Self-contained and re-runnable (CREATE OR REPLACE): other migrations may land beside it.
  `
  CREATE OR REPLACE FUNCTION ingest_batch(
    p_at double precision,
    p_first_key text[], p_second_key text[],
    p_message_sid text[], p_conversation_sid text[], p_service_sid text[], p_channel text[],
    p_customer_address text[], p_proxy_address text[], p_index bigint[], p_role text[],
    p_inbound_at double precision[], p_record text[],
    p_notify_channel text, p_from text, p_default_mode text)
  RETURNS TABLE (o_status text, o_policy_mode text, o_policy_window_ms bigint,
    o_interrupted_version bigint)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $ingest$
  DECLARE
    r record;
    v_state text;
    v_mode text;
    v_window bigint;
    v_owner text;
    v_version bigint;
    v_expires double precision;
    v_turn text;
    v_status text;
    v_woken text[] := '{}';
    v_sids json[] := '{}';
    v_bytes integer := 0;
    v_sid text;
  BEGIN
    -- unnest walks the arrays once; subscripting them (p_record[i]) would rescan variable-width
    -- elements from the start on every access, quadratic in the batch size.
    FOR r IN SELECT * FROM unnest(p_first_key, p_second_key, p_message_sid, p_conversation_sid,
        p_service_sid, p_channel, p_customer_address, p_proxy_address, p_index, p_role,
        p_inbound_at, p_record) AS u (first_key, second_key, message_sid, conversation_sid,
        service_sid, channel, customer_address, proxy_address, message_index, role, inbound_at,
        record)
    LOOP
      -- The unique key table is the dedupe (first key first: retries share the token).
      INSERT INTO dedupe_keys (key, created_at) VALUES (r.first_key, p_at)
        ON CONFLICT (key) DO NOTHING;
      IF NOT FOUND THEN
        o_status := 'duplicate'; o_policy_mode := NULL; o_policy_window_ms := NULL;
        o_interrupted_version := NULL;
        RETURN NEXT;
        CONTINUE;
      END IF;
      IF r.second_key IS NOT NULL THEN
        INSERT INTO dedupe_keys (key, created_at) VALUES (r.second_key, p_at)
          ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
          DELETE FROM dedupe_keys WHERE key = r.first_key;
          o_status := 'duplicate'; o_policy_mode := NULL; o_policy_window_ms := NULL;
          o_interrupted_version := NULL;
          RETURN NEXT;
          CONTINUE;
        END IF;
      END IF;
      -- Keys are collected after 7 days but a pending message may stay longer.
      PERFORM 1 FROM messages WHERE message_sid = r.message_sid;
      IF FOUND THEN
        DELETE FROM dedupe_keys WHERE key = r.first_key OR key = r.second_key;
        o_status := 'duplicate'; o_policy_mode := NULL; o_policy_window_ms := NULL;
        o_interrupted_version := NULL;
        RETURN NEXT;
        CONTINUE;
      END IF;
      INSERT INTO conversations AS c (conversation_sid, service_sid, channel, customer_address,
          proxy_address, last_index, last_inbound_at, created_at, updated_at)
        VALUES (r.conversation_sid, r.service_sid, r.channel, r.customer_address,
          r.proxy_address, r.message_index, r.inbound_at, p_at, p_at)
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
          c.lease_expires_at, c.turn_message_sids[1]
        INTO v_state, v_mode, v_window, v_owner, v_version, v_expires, v_turn;
      v_status := CASE WHEN r.role <> 'customer' THEN 'history'
        WHEN v_state = 'handoff' THEN 'handoff' ELSE 'pending' END;
      INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
          ingested_at)
        VALUES (r.message_sid, r.conversation_sid, r.message_index, r.role, v_status,
          r.record, p_at);
      o_interrupted_version := NULL;
      -- The interrupt rule, as in ingestOne: mayInterrupt (src/mailbox/core/turn-rules.ts) in
      -- SQL — the effective policy is interrupt, the turn is leased with a live lease and has
      -- an id — and, the store's half, the running turn has journaled no step. The upsert above
      -- holds the row lock journalRecord takes too, so a step is either seen here or refused
      -- after the lease is gone. Change one, change the other.
      IF v_status = 'pending' AND coalesce(v_mode, p_default_mode) = 'interrupt'
          AND v_state = 'leased' AND v_turn IS NOT NULL AND coalesce(v_expires, 0) > p_at
          AND NOT EXISTS (SELECT 1 FROM tool_journal j
            WHERE j.conversation_sid = r.conversation_sid AND j.turn_id = v_turn) THEN
        -- Given back uncounted (releaseLease in postgres-statements.ts): the combined turn
        -- keeps its attempt.
        UPDATE conversations SET state = 'idle', lease_owner = NULL, lease_expires_at = NULL,
            next_attempt_at = NULL, attempts = greatest(attempts - 1, 0), updated_at = p_at
          WHERE conversation_sid = r.conversation_sid AND state = 'leased'
            AND lease_version = v_version AND lease_owner = v_owner;
        IF FOUND THEN
          o_interrupted_version := v_version;
          -- Its own NOTIFY (a lease version cannot join a SID list), before the wake-ups.
          IF p_notify_channel IS NOT NULL THEN
            PERFORM pg_notify(p_notify_channel, json_build_object('from', p_from,
              'kind', 'interrupt', 'conversationSid', r.conversation_sid,
              'leaseVersion', v_version)::text);
          END IF;
        END IF;
      END IF;
      IF v_status = 'pending' AND NOT (r.conversation_sid = ANY (v_woken)) THEN
        v_woken := v_woken || r.conversation_sid;
      END IF;
      o_status := v_status; o_policy_mode := v_mode; o_policy_window_ms := v_window;
      RETURN NEXT;
    END LOOP;
    IF p_notify_channel IS NOT NULL THEN
      FOREACH v_sid IN ARRAY v_woken LOOP
        -- NOTIFY payloads stop at 8000 bytes: a new notification every ~7 KB of SIDs.
        IF v_bytes + octet_length(to_json(v_sid)::text) + 1 > 7000 THEN
          PERFORM pg_notify(p_notify_channel, json_build_object('kind', 'turn',
            'conversationSids', array_to_json(v_sids), 'from', p_from)::text);
          v_sids := '{}';
          v_bytes := 0;
        END IF;
        v_sids := v_sids || to_json(v_sid);
        v_bytes := v_bytes + octet_length(to_json(v_sid)::text) + 1;
      END LOOP;
      IF array_length(v_sids, 1) > 0 THEN
        PERFORM pg_notify(p_notify_channel, json_build_object('kind', 'turn',
          'conversationSids', array_to_json(v_sids), 'from', p_from)::text);
      END IF;
    END IF;
  END
  $ingest$;
  `,
  // 14: (a) conversations by their last activity (a customer message, else creation),
  // so catch-up reads only the active ones whatever the number ever seen; (b) the deadline of
  // a send attempt in flight (attempt start + the provider's bounded request time), so a
  // send taken from a lapsed instance is not resent while that instance's request may still
  // land at Twilio. Re-runnable (IF NOT EXISTS): other migrations may land beside it.
  `
  CREATE INDEX IF NOT EXISTS conversations_by_activity
    ON conversations ((coalesce(last_inbound_at, created_at)));
  ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attempt_deadline double precision;
  `,
  // 15: the turn path in fewer round trips. complete_turn is `complete` (the lease check, the
  // turn's messages marked done, its replies appended to the outbox after the conversation's
  // others, the lease released, a handoff's pending messages parked) and settle_sent is
  // `settleOutbox` with a sent result (outboxSettlement in core/outbox-settle.ts: a row
  // already sent is left alone; otherwise the row is marked sent, the message SID becomes a
  // dedupe key so our echo is a duplicate, an echo stored first is dropped and the reported
  // Index recorded). Each is called in autocommit, so the call is its own transaction: one
  // round trip instead of BEGIN, four to six statements and COMMIT. The lease check, release
  // and handoff parking mirror lockConversation + holdsLease, release and handoffPending in
  // postgres-statements.ts: change one, change the other. Self-contained and re-runnable
  // (CREATE OR REPLACE).
  `
  CREATE OR REPLACE FUNCTION complete_turn(
    p_sid text, p_version bigint, p_owner text, p_message_sids text[], p_handoff boolean,
    p_last_index bigint, p_turn_id text, p_at double precision,
    p_reply_ids text[], p_positions integer[], p_replies text[])
  RETURNS text
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $complete$
  DECLARE
    v_state text;
    v_version bigint;
    v_owner text;
    v_seq bigint;
    v_channel text;
    v_to text;
    v_from text;
  BEGIN
    SELECT state, lease_version, lease_owner, outbox_seq, channel, customer_address,
        proxy_address
      INTO v_state, v_version, v_owner, v_seq, v_channel, v_to, v_from
      FROM conversations WHERE conversation_sid = p_sid FOR UPDATE;
    -- holdsLease (src/mailbox/core/turn-rules.ts): a worker that lost its lease writes nothing.
    IF NOT FOUND OR v_state <> 'leased' OR v_version <> p_version
        OR v_owner IS DISTINCT FROM p_owner THEN
      RETURN 'lost';
    END IF;
    UPDATE messages SET status = 'done'
      WHERE conversation_sid = p_sid AND message_sid = ANY (p_message_sids)
        AND status = 'pending';
    INSERT INTO outbox (reply_id, conversation_sid, seq, turn_id, position, after_index,
        channel, to_address, from_address, reply, status, created_at)
      SELECT r.reply_id, p_sid, v_seq + r.position + 1, p_turn_id, r.position, p_last_index,
          v_channel, v_to, v_from, r.reply, 'pending', p_at
        FROM unnest(p_reply_ids, p_positions, p_replies) AS r (reply_id, position, reply);
    UPDATE conversations SET state = CASE WHEN p_handoff THEN 'handoff' ELSE 'idle' END,
        lease_owner = NULL, lease_expires_at = NULL, attempts = 0, last_error = NULL,
        next_attempt_at = NULL, dead_at = NULL, turn_message_sids = NULL,
        last_processed_index = greatest(coalesce(last_processed_index, -1), p_last_index),
        outbox_seq = v_seq + coalesce(array_length(p_reply_ids, 1), 0), updated_at = p_at
      WHERE conversation_sid = p_sid;
    IF p_handoff THEN
      UPDATE messages SET status = 'handoff' WHERE conversation_sid = p_sid AND status = 'pending';
    END IF;
    RETURN 'done';
  END
  $complete$;

  CREATE OR REPLACE FUNCTION settle_sent(
    p_id bigint, p_message_sid text, p_key text, p_at double precision, p_index bigint)
  RETURNS TABLE (o_outcome text, o_conversation_sid text)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $settle$
  DECLARE
    v_status text;
  BEGIN
    SELECT status, conversation_sid INTO v_status, o_conversation_sid
      FROM outbox WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      o_outcome := 'missing';
    ELSIF v_status = 'sent' THEN
      o_outcome := 'already-sent';
    ELSE
      UPDATE outbox SET status = 'sent', message_sid = p_message_sid, settled_at = p_at,
          lease_owner = NULL, lease_expires_at = NULL, last_error = NULL,
          last_error_throttled = false, must_reconcile = false, sent_index = p_index
        WHERE id = p_id;
      INSERT INTO dedupe_keys (key, created_at) VALUES (p_key, p_at)
        ON CONFLICT (key) DO NOTHING;
      DELETE FROM messages WHERE message_sid = p_message_sid AND role <> 'customer';
      IF p_index IS NOT NULL THEN
        UPDATE conversations SET last_index = greatest(coalesce(last_index, -1), p_index)
          WHERE conversation_sid = o_conversation_sid;
      END IF;
      o_outcome := 'sent';
    END IF;
    RETURN NEXT;
  END
  $settle$;
  `,
  // 16: a turn's reads before its agent in one call (`turnContext`, postgres-turn-context.ts):
  // the conversation's recent messages and replies, its customer with addresses, that
  // customer's other recent conversations (their rows and recent messages and replies:
  // `customerHistory`), the handoff note and the consent records of the given addresses, as
  // JSON columns of one row. A function rather than a statement so its plan is made once per
  // connection: planning the combined query cost more than running it. Each column mirrors
  // a statement in postgres-statements.ts (recentMessages, recentOutbox, conversationCustomer,
  // customerConversations, recentMessagesOf, recentOutboxOf, handoffNote, consentOf): change
  // one, change the other. Self-contained and re-runnable (CREATE OR REPLACE).
  `
  CREATE OR REPLACE FUNCTION turn_context(
    p_sid text, p_history integer, p_memory integer, p_addresses text[], p_conversations integer)
  RETURNS TABLE (o_messages json, o_outbox json, o_customer json, o_others json,
    o_other_messages json, o_other_outbox json, o_note json, o_consent json)
  LANGUAGE plpgsql STABLE
  SET search_path FROM CURRENT
  AS $turn_context$
  BEGIN
    RETURN QUERY WITH owner AS (
        SELECT a.customer_id FROM conversations c
          JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
        WHERE c.conversation_sid = p_sid),
      other AS (
        SELECT c.* FROM conversations c
          JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
        WHERE p_memory > 0 AND a.customer_id = (SELECT o.customer_id FROM owner o)
        ORDER BY c.updated_at DESC, c.conversation_sid LIMIT p_conversations)
      SELECT
        (SELECT coalesce(json_agg(m ORDER BY m.message_index DESC, m.message_sid DESC), '[]')
          FROM (SELECT * FROM messages h WHERE h.conversation_sid = p_sid
            ORDER BY h.message_index DESC, h.message_sid DESC LIMIT p_history) m),
        (SELECT coalesce(json_agg(r ORDER BY r.after_index DESC, r.seq DESC), '[]')
          FROM (SELECT * FROM outbox b WHERE b.conversation_sid = p_sid
            ORDER BY b.after_index DESC, b.seq DESC LIMIT p_history) r),
        (SELECT row_to_json(x) FROM (SELECT cu.*, coalesce((SELECT json_agg(ad)
            FROM customer_addresses ad WHERE ad.customer_id = cu.customer_id), '[]'::json)
            AS addresses
          FROM customers cu WHERE cu.customer_id = (SELECT o.customer_id FROM owner o)) x),
        (SELECT coalesce(json_agg(w ORDER BY w.updated_at DESC, w.conversation_sid), '[]')
          FROM other w),
        (SELECT coalesce(json_agg(m), '[]') FROM other w CROSS JOIN LATERAL (
            SELECT * FROM messages h WHERE h.conversation_sid = w.conversation_sid
              AND w.conversation_sid <> p_sid
            ORDER BY h.message_index DESC, h.message_sid DESC LIMIT p_memory) m),
        (SELECT coalesce(json_agg(r), '[]') FROM other w CROSS JOIN LATERAL (
            SELECT * FROM outbox b WHERE b.conversation_sid = w.conversation_sid
              AND w.conversation_sid <> p_sid
            ORDER BY b.after_index DESC, b.seq DESC LIMIT p_memory) r),
        (SELECT row_to_json(n) FROM (SELECT hn.reason, hn.source, hn.summary,
            hn.started_at AS "startedAt", hn.released_at AS "releasedAt",
            hn.released_by AS "releasedBy" FROM handoff_notes hn
            WHERE hn.conversation_sid = p_sid) n),
        (SELECT coalesce(json_agg(k), '[]') FROM consent k WHERE k.address = ANY (p_addresses));
  END
  $turn_context$;
  `,
];

/** The mailbox's schema name when none is given. */
export const defaultPostgresSchema = "switchboard";

/** Throws `ConfigError` unless `schema` is a plain lower-case identifier (it is quoted anyway). */
export function validateSchemaName(schema: string): string {
  if (typeof schema !== "string" || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new ConfigError(
      "schema",
      "schema must be a lower-case PostgreSQL identifier (letters, digits, _; at most 63), " +
        `e.g. "${defaultPostgresSchema}".`,
    );
  return schema;
}

// One advisory lock key per schema, so two instances starting together migrate one at a time.
const migrationLockClass = 0x5357_4244; // "SWBD"

/**
 * Brings `schema` to the latest version in one transaction, creating it if needed. Returns the
 * versions applied now (empty when it was already current). Throws `MailboxOpenError` when the
 * schema is newer than this code.
 */
export async function applyPostgresMigrations(
  client: pg.ClientBase,
  schema: string,
  location: string,
): Promise<number[]> {
  const quoted = pg.escapeIdentifier(schema);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
      migrationLockClass,
      schema,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const current = await schemaVersionIn(client);
    if (current > postgresMigrations.length)
      throw new MailboxOpenError(
        location,
        `The mailbox schema "${schema}" at ${location} is at version ${current}, newer than this ` +
          `switchboard understands (${postgresMigrations.length}). Upgrade switchboard or use another schema.`,
      );
    const applied: number[] = [];
    for (let version = current + 1; version <= postgresMigrations.length; version++) {
      await client.query(postgresMigrations[version - 1]!);
      await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
      applied.push(version);
    }
    await client.query("COMMIT");
    return applied;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** The version `schema` is at: 0 when it has no migrations table. Uses the current search_path. */
async function schemaVersionIn(client: pg.ClientBase): Promise<number> {
  const result = await client.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  return result.rows[0]?.version ?? 0;
}

/** The version of `schema`, 0 when it does not exist or has no migrations yet. */
export async function postgresSchemaVersion(
  client: pg.ClientBase,
  schema: string,
): Promise<number> {
  const exists = await client.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_migrations'",
    [schema],
  );
  if (exists.rowCount === 0) return 0;
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${pg.escapeIdentifier(schema)}.schema_migrations`,
  );
  return result.rows[0]?.version ?? 0;
}

/** Options of `migratePostgres`. */
export type MigratePostgresOptions = PostgresConnectionOptions & {
  /** The schema holding the mailbox tables. Default `switchboard`. */
  schema?: string;
};

/** What `migratePostgres` did. */
export interface MigrationReport {
  schema: string;
  /** Versions applied by this call, oldest first; empty when already current. */
  applied: number[];
  /** The version the schema is at now. */
  version: number;
}

/**
 * Applies the PostgreSQL mailbox migrations and returns. For operators who apply migrations
 * separately from starting the service (`switchboard migrate`), then run
 * `postgresMailbox({ …, migrate: false })`. Safe to run while instances are up and from
 * several machines at once (an advisory lock serialises it). Throws `MailboxOpenError` naming
 * host, port and database when the server cannot be reached.
 */
export async function migratePostgres(options: MigratePostgresOptions): Promise<MigrationReport> {
  const schema = validateSchemaName(options.schema ?? defaultPostgresSchema);
  const opened = await openPostgresPool(options);
  try {
    const held = await checkout(opened.pool);
    try {
      const applied = await applyPostgresMigrations(
        held.client,
        schema,
        describeTarget(opened.target),
      );
      return { schema, applied, version: postgresMigrations.length };
    } finally {
      held.release();
    }
  } finally {
    await opened.end();
  }
}

/**
 * Opens the pool and brings `schema` to the current version — or, with `migrate` false, only
 * checks that it is there (operators who run `switchboard migrate` themselves). Every failure
 * is a `MailboxOpenError` naming host, port, database and schema; the pool is ended then.
 */
export async function openMigratedPool(
  plan: PostgresPoolPlan,
  schema: string,
  migrate: boolean,
): Promise<OpenedPool> {
  const opened = await connectPostgresPool(plan);
  const location = describeTarget(opened.target);
  try {
    const held = await checkout(opened.pool);
    try {
      if (migrate) await applyPostgresMigrations(held.client, schema, location);
      else {
        const version = await postgresSchemaVersion(held.client, schema);
        if (version !== postgresMigrations.length)
          throw new MailboxOpenError(
            location,
            `The mailbox schema "${schema}" at ${location} is at version ${version}, but this ` +
              `switchboard needs version ${postgresMigrations.length}. Run \`switchboard migrate\` ` +
              "(or start with migrations on: the `migrate` option, SWITCHBOARD_DATABASE_MIGRATE).",
          );
      }
    } finally {
      held.release();
    }
  } catch (cause) {
    await opened.end().catch(() => {});
    if (cause instanceof MailboxOpenError) throw cause;
    throw new MailboxOpenError(
      location,
      `Cannot prepare the mailbox schema "${schema}" at ${location}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return opened;
}
