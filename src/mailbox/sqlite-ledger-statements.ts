/** The SQLite mailbox's delivery and consent SQL, spread into its statement table. */
export const sqliteLedgerSql = {
  delivery: "SELECT * FROM deliveries WHERE message_sid = ?",
  upsertDelivery: `INSERT INTO deliveries (message_sid, conversation_sid, status, error_code, channel,
         updated_at, recorded_at) VALUES (@messageSid, @conversationSid, @status, @errorCode,
         @channel, @updatedAt, @at)
       ON CONFLICT (message_sid) DO UPDATE SET status = excluded.status,
         error_code = excluded.error_code, channel = coalesce(excluded.channel, channel),
         updated_at = excluded.updated_at, recorded_at = excluded.recorded_at`,
  deliveriesOf: `SELECT * FROM deliveries WHERE conversation_sid = ?
       ORDER BY recorded_at DESC, message_sid DESC LIMIT +?`,
  consent: "SELECT * FROM consent WHERE address = ?",
  upsertConsent: `INSERT INTO consent (address, state, reason, detail, changed_at)
       VALUES (@address, @state, @reason, @detail, @at)
       ON CONFLICT (address) DO UPDATE SET state = excluded.state, reason = excluded.reason,
         detail = excluded.detail, changed_at = excluded.changed_at`,
  gcDeliveries: "DELETE FROM deliveries WHERE recorded_at < ?",
} as const;
