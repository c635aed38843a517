/** The PostgreSQL mailbox's delivery and consent SQL; `s` is the quoted schema and a dot. */
export function postgresLedgerStatements(s: string) {
  return {
    lockDelivery: `SELECT * FROM ${s}deliveries WHERE message_sid = $1 FOR UPDATE`,
    // Inserts the first receipt of a message; a concurrent first receipt loses and is
    // re-read under the row lock by the caller.
    insertDelivery: `INSERT INTO ${s}deliveries (message_sid, conversation_sid, status, error_code,
        channel, updated_at, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (message_sid) DO NOTHING RETURNING *`,
    updateDelivery: `UPDATE ${s}deliveries SET status = $2, error_code = $3,
        channel = coalesce($4, channel), updated_at = $5, recorded_at = $6
      WHERE message_sid = $1 RETURNING *`,
    deliveriesOf: `SELECT * FROM ${s}deliveries WHERE conversation_sid = $1
      ORDER BY recorded_at DESC, message_sid DESC LIMIT $2`,
    consentOf: `SELECT * FROM ${s}consent WHERE address = ANY($1::text[])`,
    upsertConsent: `INSERT INTO ${s}consent (address, state, reason, detail, changed_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (address) DO UPDATE SET state = excluded.state, reason = excluded.reason,
        detail = excluded.detail, changed_at = excluded.changed_at
      RETURNING *`,
    gcDeliveries: `DELETE FROM ${s}deliveries WHERE recorded_at < $1`,
  } as const;
}
