// Over 400 lines on purpose: the append-only list of shipped migrations (never edited, only
// extended) and the code that applies them live together, so a version is one array index.
import pg from "pg";
import { ConfigError } from "../../errors.js";
import { MailboxOpenError } from "../mailbox-errors.js";
import { holdFollowersMigration } from "./hold-followers-migration.js";
import {
  connectPostgresPool,
  type OpenedPool,
  openPostgresPool,
  type PostgresConnectionOptions,
  type PostgresPoolPlan,
} from "./open-postgres-pool.js";
import { parkDeadLettersMigration } from "./park-dead-letters-migration.js";
import { checkout } from "./postgres-connection.js";
import { describeTarget } from "./postgres-errors.js";
import { quietWakeUpsMigration } from "./quiet-wake-ups-migration.js";

/**
 * Versioned migrations of the PostgreSQL mailbox. Append only: never edit a shipped entry; add
 * the next version. Each runs with `search_path` set to the mailbox schema, so the SQL names
 * tables without a schema. Times are epoch milliseconds from the store's clock (`double precision`: exact for whole
 * milliseconds, and a custom clock may return fractions), never
 * the server's `now()`, so the store's injected clock is the only clock.
 */
const shippedMigrations: readonly string[] = [
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
  // 16: claims in one round trip that read only ready rows. claim_turns is `claim`: it walks
  // the pending messages oldest first through `messages_waiting` (so the first message seen
  // of a conversation is its oldest pending one: the order is the conversations' waiting
  // time, as before), locks each not-yet-seen conversation with SKIP LOCKED, applies the turn
  // rules and leases, and stops as soon as `p_max` are leased — the cost follows the work
  // ahead of the last lease, not the backlog or the conversations. It RE-STATES the rules of
  // src/mailbox/core/turn-rules.ts (isClaimable, expiredLeaseDeadLetter, policyOf,
  // turnCandidates, recordedChecks + cutTurn, attemptOfClaim), which the SQLite store runs
  // in TypeScript: change one, change the other; the contract suite runs the same cases
  // on both stores. `outbox_due` indexes the open outbox rows by when they are due (a
  // pending row's retry time, a sending row's lease expiry), so the outbox claim reads the
  // due rows only. Called in autocommit: one round trip instead of BEGIN, five statements
  // and COMMIT. Self-contained and re-runnable (IF NOT EXISTS, CREATE OR REPLACE).
  `
  CREATE INDEX IF NOT EXISTS messages_waiting ON messages (ingested_at, conversation_sid)
    WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS outbox_due ON outbox ((CASE WHEN status = 'pending'
      THEN coalesce(next_attempt_at, '-Infinity'::double precision) ELSE lease_expires_at END))
    WHERE status IN ('pending', 'sending');

  CREATE OR REPLACE FUNCTION claim_turns(
    p_worker text, p_max integer, p_expires double precision, p_at double precision,
    p_instance text, p_settle_ms double precision, p_max_attempts integer,
    p_default_mode text, p_default_window double precision, p_max_turn integer)
  RETURNS TABLE (o_conversation json, o_pending_count integer, o_last_processed bigint,
    o_attempts integer, o_messages json)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $claim$
  DECLARE
    v_waiting record;
    v_seen text[] := '{}';
    v_taken integer := 0;
    v_conv conversations%ROWTYPE;
    v_pending messages[];
    v_count integer;
    v_mode text;
    v_window double precision;
    v_end integer;
    v_window_end double precision;
    v_last bigint;
    v_above bigint;
    v_message messages%ROWTYPE;
    v_recorded bigint;
    v_turn messages[];
    v_attempts integer;
    v_leased conversations%ROWTYPE;
  BEGIN
    IF p_max <= 0 THEN
      RETURN;
    END IF;
    -- The walk leaves out, in the executor, messages of conversations that are not claimable
    -- as of its start (running turns, backoff, dead letters, handoffs): far cheaper than a
    -- statement each. The LIMIT 1 keeps the lateral a per-message index probe the planner
    -- cannot turn into a join over every conversation. The lock below re-checks with a
    -- fresh snapshot, so a conversation that changed since is judged as it is now.
    FOR v_waiting IN SELECT w.conversation_sid FROM messages w
        CROSS JOIN LATERAL (SELECT 1 FROM conversations k
          WHERE k.conversation_sid = w.conversation_sid
            AND (k.state = 'idle'
              OR (k.state = 'backoff' AND coalesce(k.next_attempt_at, 0) <= p_at)
              OR (k.state = 'leased' AND coalesce(k.lease_expires_at, 0) <= p_at))
          LIMIT 1) claimable
        WHERE w.status = 'pending'
        ORDER BY w.ingested_at, w.conversation_sid LOOP
      CONTINUE WHEN v_waiting.conversation_sid = ANY (v_seen);
      v_seen := v_seen || v_waiting.conversation_sid;
      -- isClaimable (turn-rules.ts), the state half; locked ones (another claimer, an ingest
      -- in progress) are skipped, not waited for. A new statement: it sees every commit.
      SELECT * INTO v_conv FROM conversations c
        WHERE c.conversation_sid = v_waiting.conversation_sid
          AND (c.state = 'idle'
            OR (c.state = 'backoff' AND coalesce(c.next_attempt_at, 0) <= p_at)
            OR (c.state = 'leased' AND coalesce(c.lease_expires_at, 0) <= p_at))
        FOR UPDATE SKIP LOCKED;
      CONTINUE WHEN NOT FOUND;
      -- The first pending messages in Index order (the pending half of isClaimable).
      v_pending := ARRAY(SELECT m FROM messages m
        WHERE m.conversation_sid = v_conv.conversation_sid AND m.status = 'pending'
        ORDER BY m.message_index, m.message_sid LIMIT p_max_turn);
      v_count := coalesce(array_length(v_pending, 1), 0);
      CONTINUE WHEN v_count = 0;
      -- expiredLeaseDeadLetter: a turn that keeps killing its worker must not loop forever.
      IF v_conv.state = 'leased' AND v_conv.attempts >= p_max_attempts THEN
        UPDATE conversations SET state = 'dead', lease_owner = NULL, lease_expires_at = NULL,
            next_attempt_at = NULL,
            last_error = 'the lease expired ' || v_conv.attempts
              || ' times without the turn completing',
            dead_at = p_at, updated_at = p_at
          WHERE conversation_sid = v_conv.conversation_sid;
        CONTINUE;
      END IF;
      -- policyOf: the stored policy, else the store's default (mode and window together).
      IF v_conv.policy_mode IS NULL THEN
        v_mode := p_default_mode;
        v_window := p_default_window;
      ELSE
        v_mode := v_conv.policy_mode;
        v_window := coalesce(v_conv.policy_window_ms, 0);
      END IF;
      -- turnCandidates: queue one; interrupt all (up to the cap); burst none before the
      -- window ends, then those ingested in [first, first + window).
      IF v_mode = 'queue' THEN
        v_end := 1;
      ELSIF v_mode = 'interrupt' THEN
        v_end := v_count;
      ELSE
        v_window_end := (v_pending[1]).ingested_at + v_window;
        CONTINUE WHEN p_at < v_window_end;
        v_end := 1;
        WHILE v_end < v_count AND (v_pending[v_end + 1]).ingested_at < v_window_end LOOP
          v_end := v_end + 1;
        END LOOP;
      END IF;
      -- recordedChecks + cutTurn: a candidate joins when every index between the one before
      -- it (or the last processed) and its own is recorded, or it has waited the settle
      -- window; the first that does not ends the turn.
      v_last := coalesce(v_conv.last_processed_index, -1);
      FOR v_position IN 1 .. v_end LOOP
        v_message := v_pending[v_position];
        v_above := greatest(v_last, CASE WHEN v_position = 1 THEN -1
          ELSE (v_pending[v_position - 1]).message_index END);
        CONTINUE WHEN v_message.message_index - 1 <= v_above
          OR p_at - v_message.ingested_at >= p_settle_ms;
        SELECT count(*) INTO v_recorded FROM (
          SELECT r.message_index FROM messages r WHERE r.conversation_sid = v_conv.conversation_sid
            AND r.message_index > v_above AND r.message_index < v_message.message_index
          UNION SELECT s.sent_index FROM outbox s WHERE s.conversation_sid = v_conv.conversation_sid
            AND s.sent_index > v_above AND s.sent_index < v_message.message_index) recorded;
        IF v_recorded <> v_message.message_index - 1 - v_above THEN
          v_end := v_position - 1;
          EXIT;
        END IF;
      END LOOP;
      CONTINUE WHEN v_end = 0;
      v_turn := v_pending[1:v_end];
      -- attemptOfClaim: the same first message is another attempt of the same turn.
      v_attempts := CASE WHEN v_conv.turn_message_sids[1] = (v_turn[1]).message_sid
        THEN v_conv.attempts + 1 ELSE 1 END;
      UPDATE conversations SET state = 'leased', lease_owner = p_worker,
          lease_expires_at = p_expires, lease_version = lease_version + 1,
          attempts = v_attempts,
          turn_message_sids = ARRAY(SELECT t.message_sid FROM unnest(v_turn) t),
          next_attempt_at = NULL, updated_at = p_at, lease_instance = p_instance
        WHERE conversation_sid = v_conv.conversation_sid
        RETURNING * INTO v_leased;
      IF v_count = p_max_turn THEN
        SELECT count(*) INTO v_count FROM messages m
          WHERE m.conversation_sid = v_conv.conversation_sid AND m.status = 'pending';
      END IF;
      -- json, not jsonb: json prints double precision exactly, jsonb rounds it to 15 digits.
      o_conversation := to_json(v_leased);
      o_pending_count := v_count;
      o_last_processed := v_conv.last_processed_index;
      o_attempts := v_attempts;
      o_messages := to_json(v_turn);
      RETURN NEXT;
      v_taken := v_taken + 1;
      EXIT WHEN v_taken >= p_max;
    END LOOP;
  END
  $claim$;
  `,
  // 17: a turn's reads before its agent in one call (`turnContext`, postgres-turn-context.ts):
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
  // 18: the outbox claim as a function whose plan streams. Measured at 500-600 msg/s on a
  // fresh schema (no statistics yet, which is every new deployment's first minutes): the
  // statement's cached generic plan answered "is this row its conversation's head" with an
  // anti join that rescanned every open row per due row — 1-1.2 s per claim with 2,000 open
  // replies, and the sender fell further behind with every claim. Now the head check is a
  // per-row index probe (a scalar subquery on outbox_open, which the planner cannot turn into
  // a join), and the due rows are walked in the order of `outbox_due_at` (when each is due,
  // then id), so a claim stops after `p_max` heads: `enable_sort = off` pins that walk, as a
  // sort would read every due row first. A fresh reply is due at its creation (was
  // -Infinity), so retries and fresh replies are taken in the order they fell due, oldest
  // first, and a throttled reply is never starved by newer ones. Self-contained and
  // re-runnable (IF NOT EXISTS, CREATE OR REPLACE).
  `
  CREATE INDEX IF NOT EXISTS outbox_due_at ON outbox ((CASE WHEN status = 'pending'
      THEN coalesce(next_attempt_at, created_at) ELSE lease_expires_at END), id)
    WHERE status IN ('pending', 'sending');
  DROP INDEX IF EXISTS outbox_due;

  CREATE OR REPLACE FUNCTION claim_outbox(
    p_at double precision, p_max integer, p_owner text, p_expires double precision,
    p_instance text)
  RETURNS SETOF outbox
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  SET enable_sort = off
  AS $claim_outbox$
  BEGIN
    RETURN QUERY
    WITH heads AS (
      SELECT o.id FROM outbox o
      WHERE o.status IN ('pending', 'sending')
        AND (CASE WHEN o.status = 'pending' THEN coalesce(o.next_attempt_at, o.created_at)
          ELSE o.lease_expires_at END) <= p_at
        AND o.seq = (SELECT p.seq FROM outbox p
          WHERE p.conversation_sid = o.conversation_sid AND p.status IN ('pending', 'sending')
          ORDER BY p.seq LIMIT 1)
      ORDER BY (CASE WHEN o.status = 'pending' THEN coalesce(o.next_attempt_at, o.created_at)
          ELSE o.lease_expires_at END), o.id
      LIMIT p_max
      FOR UPDATE OF o SKIP LOCKED)
    UPDATE outbox o SET status = 'sending', lease_owner = p_owner, lease_expires_at = p_expires,
      lease_instance = p_instance,
      attempts = o.attempts + 1, claim_version = o.claim_version + 1, next_attempt_at = NULL,
      -- Reclaiming an expired claim clears the flag: that try may have reached Twilio.
      last_error_throttled = o.last_error_throttled AND o.status <> 'sending',
      -- An expired claim (a crashed sender) may have reached Twilio: the next try looks first.
      must_reconcile = o.must_reconcile OR o.status = 'sending',
      attempt_deadline = NULL
    FROM heads WHERE o.id = heads.id
    RETURNING o.*;
  END
  $claim_outbox$;
  `,
];

export const postgresMigrations: readonly string[] = [
  ...shippedMigrations,
  // 19: a dead letter's messages leave the turn claim's walk (see there).
  parkDeadLettersMigration(shippedMigrations[12]!, shippedMigrations[15]!),
  // 20: the replies behind one that waits for its retry wait with it (see there).
  holdFollowersMigration,
  // 21: customers by creation, so the console's list (`listCustomers`) finds the customers
  // without a conversation among the newest instead of reading every customer (SQLite 13).
  "CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created_at);",
  // 22: the turn path's commits say whether they left work (see there).
  quietWakeUpsMigration(shippedMigrations[12]!),
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
