import { ingestParksChange } from "./park-dead-letters-migration.js";
import { revised } from "./revised-migration.js";

/**
 * Migration 22: the turn path's commits say whether they left work, so workers are woken only
 * when a claim can find something, as on SQLite. At 50 messages/s PostgreSQL made three turn
 * claims and two send claims per answer, two and one of them empty: every message woke a
 * claim again at the end of its settle window, every completed turn woke a turn claim, every
 * sent reply a send claim. Each `_v2` function does what its shipped namesake does and adds
 * what it left:
 * - `ingest_batch_v2`, `o_gap_free`: a pending message is the next one after the
 *   conversation's last answered Index, so the settle window cannot hold it back. It is
 *   `ingest_batch` as migration 19 left it, re-created from the shipped text with only those
 *   lines changed (the upsert already returns the conversation: no second read);
 * - `complete_turn_v2`, `o_pending_left`: messages still wait in the conversation (those
 *   that arrived during the turn), after running `complete_turn`;
 * - `settle_sent_v2`, `o_open_left`: replies still wait to be sent in the conversation,
 *   after running `settle_sent`.
 * New names, not new outputs of the old ones: an instance still running the previous version
 * during a rolling deploy keeps calling the functions it knows. Re-runnable (OR REPLACE).
 */
export function quietWakeUpsMigration(ingestBatch: string): string {
  const ingestV2 = revised(ingestBatch, [
    ingestParksChange,
    ["CREATE OR REPLACE FUNCTION ingest_batch(", "CREATE OR REPLACE FUNCTION ingest_batch_v2("],
    [
      `RETURNS TABLE (o_status text, o_policy_mode text, o_policy_window_ms bigint,
    o_interrupted_version bigint)`,
      `RETURNS TABLE (o_status text, o_policy_mode text, o_policy_window_ms bigint,
    o_interrupted_version bigint, o_gap_free boolean)`,
    ],
    ["    v_turn text;\n", "    v_turn text;\n    v_last_processed bigint;\n"],
    ["    LOOP\n", "    LOOP\n      o_gap_free := false;\n"],
    [
      `          c.lease_expires_at, c.turn_message_sids[1]
        INTO v_state, v_mode, v_window, v_owner, v_version, v_expires, v_turn;`,
      `          c.lease_expires_at, c.turn_message_sids[1], c.last_processed_index
        INTO v_state, v_mode, v_window, v_owner, v_version, v_expires, v_turn, v_last_processed;`,
    ],
    [
      "      o_status := v_status; o_policy_mode := v_mode; o_policy_window_ms := v_window;\n",
      `      o_status := v_status; o_policy_mode := v_mode; o_policy_window_ms := v_window;
      o_gap_free := v_status = 'pending'
        AND r.message_index - 1 <= coalesce(v_last_processed, -1);\n`,
    ],
  ]);
  return `
  ${ingestV2}

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
}
