/**
 * `turnContext`'s SQL (see `postgresTurnContext`): migration 17's `turn_context`, every read a
 * turn makes before its agent runs as JSON columns of one row — one round trip (and one
 * snapshot) instead of six awaited one after another, with a plan made once per connection.
 * `row_to_json` keeps each column's value (`bigint` and `double precision` become JSON
 * numbers, exact at our magnitudes), so the rows map with the same functions as the separate
 * reads'. $1 conversation, $2 history limit, $3 customer history limit (0: no memory),
 * $4 consent addresses, $5 the customer's conversations read (`historyConversations`).
 */
export function postgresTurnContextStatements(s: string) {
  const columns = `o_messages AS messages, o_outbox AS outbox, o_customer AS customer,
        o_others AS others, o_other_messages AS other_messages, o_other_outbox AS other_outbox,
        o_note AS note, o_consent AS consent`;
  return {
    turnContext: `SELECT ${columns} FROM ${s}turn_context($1, $2, $3, $4::text[], $5)`,
    // Several turns' contexts at once (turns claimed together start together): $1 a JSON
    // array of { position, sid, history, memory, addresses }, answered by position; $2 as $5 above.
    turnContexts: `SELECT ${columns}
      FROM json_to_recordset($1::json)
        AS b (position integer, sid text, history integer, memory integer, addresses text[])
      CROSS JOIN LATERAL ${s}turn_context(b.sid, b.history, b.memory, b.addresses, $2) t
      ORDER BY b.position`,
  } as const;
}
