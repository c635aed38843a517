import { revised } from "./revised-migration.js";

/** Migration 19's one change to `ingest_batch` (migration 13): a message parks on arrival. */
export const ingestParksChange = [
  `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
          ingested_at)
        VALUES (r.message_sid, r.conversation_sid, r.message_index, r.role, v_status,
          r.record, p_at);`,
  `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
          ingested_at, parked)
        VALUES (r.message_sid, r.conversation_sid, r.message_index, r.role, v_status,
          r.record, p_at, v_status = 'pending' AND v_state = 'dead');`,
] as const;

/**
 * Migration 19: a dead letter's messages leave the turn claim's walk. They stay `pending`
 * (what the conversation owes, for every other reader) but are `parked` while it is dead,
 * so `claim_turns` reads the same however many conversations are dead-lettered — it read
 * every one of their pending messages on every claim (16 ms a claim at 10,000 dead letters,
 * and every webhook wakes a claim). Triggers keep `parked` true exactly while the
 * conversation is dead, whichever statement moves it in or out (the WHEN clause is checked
 * without calling the function, so other updates pay nothing); ingest parks a message that
 * arrives in a dead conversation. `ingest_batch` (migration 13) and `claim_turns`
 * (migration 16) are re-created from their shipped text with only those lines changed; the
 * walk's index becomes `messages_waiting_live`. Re-runnable (IF NOT EXISTS, OR REPLACE).
 */
export function parkDeadLettersMigration(ingestBatch: string, claimTurns: string): string {
  const ingestParks = revised(ingestBatch, [ingestParksChange]);
  const claimFunction = claimTurns.slice(
    claimTurns.indexOf("CREATE OR REPLACE FUNCTION claim_turns("),
  );
  const claimSkipsParked = revised(claimFunction, [
    [
      "        WHERE w.status = 'pending'\n",
      "        WHERE w.status = 'pending' AND NOT w.parked\n",
    ],
  ]);
  return `
  ALTER TABLE messages ADD COLUMN IF NOT EXISTS parked boolean NOT NULL DEFAULT false;
  UPDATE messages m SET parked = true FROM conversations c
    WHERE c.conversation_sid = m.conversation_sid AND c.state = 'dead'
      AND m.status = 'pending' AND NOT m.parked;
  CREATE INDEX IF NOT EXISTS messages_waiting_live ON messages (ingested_at, conversation_sid)
    WHERE status = 'pending' AND NOT parked;
  DROP INDEX IF EXISTS messages_waiting;

  CREATE OR REPLACE FUNCTION park_dead_letter_messages() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $park$
  BEGIN
    UPDATE messages SET parked = (NEW.state = 'dead')
      WHERE conversation_sid = NEW.conversation_sid AND status = 'pending'
        AND parked <> (NEW.state = 'dead');
    RETURN NULL;
  END
  $park$;
  DROP TRIGGER IF EXISTS conversations_park_dead ON conversations;
  CREATE TRIGGER conversations_park_dead AFTER UPDATE OF state ON conversations
    FOR EACH ROW WHEN ((OLD.state = 'dead') IS DISTINCT FROM (NEW.state = 'dead'))
    EXECUTE FUNCTION park_dead_letter_messages();
  ${ingestParks}
  ${claimSkipsParked}
  `;
}
