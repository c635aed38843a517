/**
 * Migration 20: the replies behind a reply that waits for its retry wait with it. Only a
 * conversation's oldest open reply (its head) may be sent, but `claim_outbox` walks the
 * open replies in the order they fall due, and one never tried is due at its creation: in a
 * Twilio outage every claim read every reply queued behind a head in backoff, and rejected
 * it (8.5 ms a claim at 3,000 conversations with three replies each). Now a retry's time is
 * copied to the replies behind it (`outbox_hold_followers`), and a reply added behind held
 * ones takes the latest such time (`outbox_join_held`). Nothing needs releasing: a head is
 * retried only after it was due, so the time its followers hold is never later than the
 * moment it is sent. Only when a row is due changes, never which row is the head, so order
 * and exactly-once are untouched; a race between these triggers can only leave a reply due
 * earlier (read by a claim and rejected, as before), never later than its head. The WHEN
 * clauses are checked without calling the functions, so a reply sent on its first try pays
 * only the insert's look at its conversation's pending replies. Re-runnable (OR REPLACE,
 * DROP TRIGGER IF EXISTS).
 */
export const holdFollowersMigration = `
  CREATE OR REPLACE FUNCTION outbox_hold_followers() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $hold$
  BEGIN
    UPDATE outbox SET next_attempt_at = NEW.next_attempt_at
      WHERE conversation_sid = NEW.conversation_sid AND status = 'pending' AND seq > NEW.seq
        AND (next_attempt_at IS NULL OR next_attempt_at < NEW.next_attempt_at);
    RETURN NULL;
  END
  $hold$;
  DROP TRIGGER IF EXISTS outbox_hold_followers ON outbox;
  CREATE TRIGGER outbox_hold_followers AFTER UPDATE OF next_attempt_at ON outbox
    FOR EACH ROW WHEN (OLD.status = 'sending' AND NEW.status = 'pending'
      AND NEW.next_attempt_at IS NOT NULL)
    EXECUTE FUNCTION outbox_hold_followers();

  CREATE OR REPLACE FUNCTION outbox_join_held() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
  AS $join$
  BEGIN
    NEW.next_attempt_at := (SELECT max(o.next_attempt_at) FROM outbox o
      WHERE o.conversation_sid = NEW.conversation_sid AND o.status = 'pending');
    RETURN NEW;
  END
  $join$;
  DROP TRIGGER IF EXISTS outbox_join_held ON outbox;
  CREATE TRIGGER outbox_join_held BEFORE INSERT ON outbox
    FOR EACH ROW WHEN (NEW.status = 'pending' AND NEW.next_attempt_at IS NULL)
    EXECUTE FUNCTION outbox_join_held();
  `;
