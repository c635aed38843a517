/**
 * `turnContext`'s SQL: every read a turn makes before its agent runs, as JSON columns of one
 * row — one round trip (and one snapshot) instead of six awaited one after another. Each
 * column is the statement its own method runs: `recentMessages`/`recentOutbox`
 * (`messages`, `outbox`), `conversationCustomer` (`customer`), `customerConversations` with
 * the `recentMessagesOf`/`recentOutboxOf` of those conversations (`others`,
 * `other_messages`, `other_outbox`; the turn's own conversation is read but its rows are
 * not), `handoffNote` (`note`) and `consentOf` (`consent`). `row_to_json` keeps each column's
 * value (`bigint` and `double precision` become JSON numbers, exact at our magnitudes), so
 * the rows map with the same functions as the separate reads'.
 * $1 conversation, $2 history limit, $3 customer history limit (0: no memory),
 * $4 consent addresses, $5 the customer's conversations read (`historyConversations`).
 */
export function postgresTurnContextStatements(s: string, pendingCount: string) {
  const owned = `JOIN ${s}customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address`;
  return {
    turnContext: `WITH owner AS (
        SELECT a.customer_id FROM ${s}conversations c ${owned} WHERE c.conversation_sid = $1),
      others AS (
        SELECT c.*, ${pendingCount} FROM ${s}conversations c ${owned}
        WHERE $3::integer > 0 AND a.customer_id = (SELECT customer_id FROM owner)
        ORDER BY c.updated_at DESC, c.conversation_sid LIMIT $5::integer)
      SELECT
        (SELECT coalesce(json_agg(m ORDER BY m.message_index DESC, m.message_sid DESC), '[]')
          FROM (SELECT * FROM ${s}messages WHERE conversation_sid = $1
            ORDER BY message_index DESC, message_sid DESC LIMIT $2::integer) m) AS messages,
        (SELECT coalesce(json_agg(o ORDER BY o.after_index DESC, o.seq DESC), '[]')
          FROM (SELECT * FROM ${s}outbox WHERE conversation_sid = $1
            ORDER BY after_index DESC, seq DESC LIMIT $2::integer) o) AS outbox,
        (SELECT row_to_json(x) FROM (SELECT cu.*, coalesce((SELECT json_agg(ad)
            FROM ${s}customer_addresses ad WHERE ad.customer_id = cu.customer_id), '[]'::json)
            AS addresses
          FROM ${s}customers cu WHERE cu.customer_id = (SELECT customer_id FROM owner)) x)
          AS customer,
        (SELECT coalesce(json_agg(w ORDER BY w.updated_at DESC, w.conversation_sid), '[]')
          FROM others w) AS others,
        (SELECT coalesce(json_agg(m), '[]') FROM others w CROSS JOIN LATERAL (
            SELECT * FROM ${s}messages WHERE conversation_sid = w.conversation_sid
              AND w.conversation_sid <> $1
            ORDER BY message_index DESC, message_sid DESC LIMIT $3::integer) m) AS other_messages,
        (SELECT coalesce(json_agg(o), '[]') FROM others w CROSS JOIN LATERAL (
            SELECT * FROM ${s}outbox WHERE conversation_sid = w.conversation_sid
              AND w.conversation_sid <> $1
            ORDER BY after_index DESC, seq DESC LIMIT $3::integer) o) AS other_outbox,
        (SELECT row_to_json(n) FROM (SELECT reason, source, summary, started_at AS "startedAt",
            released_at AS "releasedAt", released_by AS "releasedBy" FROM ${s}handoff_notes
            WHERE conversation_sid = $1) n) AS note,
        (SELECT coalesce(json_agg(k), '[]') FROM ${s}consent k
          WHERE k.address = ANY($4::text[])) AS consent`,
  } as const;
}
