/**
 * Migration 22: the turn path's commits say whether they left work, so workers are woken only
 * when a claim can find something, as on SQLite. At 50 messages/s PostgreSQL made three turn
 * claims and two send claims per answer, two and one of them empty: every message woke a
 * claim again at the end of its settle window, every completed turn woke a turn claim, every
 * sent reply a send claim. Each `_v2` function runs its shipped namesake unchanged and adds
 * what it left:
 * - `ingest_batch_v2`, `o_gap_free`: a pending message is the next one after the
 *   conversation's last answered Index, so the settle window cannot hold it back (the
 *   conversation as the statement found it: the ingest never moves `last_processed_index`);
 * - `complete_turn_v2`, `o_pending_left`: messages still wait in the conversation (those
 *   that arrived during the turn);
 * - `settle_sent_v2`, `o_open_left`: replies still wait to be sent in the conversation.
 * New names, not new outputs of the old ones: an instance still running the previous version
 * during a rolling deploy keeps calling the functions it knows. Re-runnable (OR REPLACE).
 */
export const quietWakeUpsMigration = `
  CREATE OR REPLACE FUNCTION ingest_batch_v2(
    p_at double precision,
    p_first_key text[], p_second_key text[],
    p_message_sid text[], p_conversation_sid text[], p_service_sid text[], p_channel text[],
    p_customer_address text[], p_proxy_address text[], p_index bigint[], p_role text[],
    p_inbound_at double precision[], p_record text[],
    p_notify_channel text, p_from text, p_default_mode text)
  RETURNS TABLE (o_status text, o_policy_mode text, o_policy_window_ms bigint,
    o_interrupted_version bigint, o_gap_free boolean)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $ingest_v2$
  BEGIN
    -- plpgsql, not sql: its plan is cached (a sql function's is made again on every call,
    -- a tenth of the batch's time). The conversation as this statement found it: the
    -- ingest never moves last_processed_index.
    RETURN QUERY
      SELECT i.o_status, i.o_policy_mode, i.o_policy_window_ms, i.o_interrupted_version,
          i.o_status = 'pending'
            AND m.message_index - 1 <= coalesce(c.last_processed_index, -1)
        FROM ingest_batch(p_at, p_first_key, p_second_key, p_message_sid, p_conversation_sid,
            p_service_sid, p_channel, p_customer_address, p_proxy_address, p_index, p_role,
            p_inbound_at, p_record, p_notify_channel, p_from, p_default_mode)
          WITH ORDINALITY AS i (o_status, o_policy_mode, o_policy_window_ms,
            o_interrupted_version, position)
        JOIN unnest(p_conversation_sid, p_index) WITH ORDINALITY
          AS m (conversation_sid, message_index, position) USING (position)
        LEFT JOIN conversations c ON c.conversation_sid = m.conversation_sid
        ORDER BY position;
  END
  $ingest_v2$;

  CREATE OR REPLACE FUNCTION complete_turn_v2(
    p_sid text, p_version bigint, p_owner text, p_message_sids text[], p_handoff boolean,
    p_last_index bigint, p_turn_id text, p_at double precision,
    p_reply_ids text[], p_positions integer[], p_replies text[])
  RETURNS TABLE (o_outcome text, o_pending_left boolean)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $complete_v2$
  BEGIN
    o_outcome := complete_turn(p_sid, p_version, p_owner, p_message_sids, p_handoff,
      p_last_index, p_turn_id, p_at, p_reply_ids, p_positions, p_replies);
    o_pending_left := o_outcome = 'done' AND NOT p_handoff AND EXISTS (SELECT 1 FROM messages
      WHERE conversation_sid = p_sid AND status = 'pending');
    RETURN NEXT;
  END
  $complete_v2$;

  CREATE OR REPLACE FUNCTION settle_sent_v2(
    p_id bigint, p_message_sid text, p_key text, p_at double precision, p_index bigint)
  RETURNS TABLE (o_outcome text, o_conversation_sid text, o_open_left boolean)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $settle_v2$
  BEGIN
    SELECT s.o_outcome, s.o_conversation_sid INTO o_outcome, o_conversation_sid
      FROM settle_sent(p_id, p_message_sid, p_key, p_at, p_index) s;
    o_open_left := o_outcome = 'sent' AND EXISTS (SELECT 1 FROM outbox
      WHERE conversation_sid = o_conversation_sid AND status IN ('pending', 'sending'));
    RETURN NEXT;
  END
  $settle_v2$;
`;
