/**
 * The PostgreSQL mailbox's customer SQL; `s` is the quoted schema and a dot, `pendingCount`
 * the conversation record's pending-count column. A conversation belongs to the customer
 * owning its address: its channel is the address kind and its customer address the value.
 */
export function postgresCustomerStatements(s: string, pendingCount: string) {
  // A conversation's last activity: a customer message, else when it was first seen.
  const activity = "coalesce(c.last_inbound_at, c.created_at)";
  const owned = `JOIN ${s}customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address`;
  const addressesOf = `coalesce((SELECT json_agg(ad) FROM ${s}customer_addresses ad
      WHERE ad.customer_id = cu.customer_id), '[]'::json) AS addresses`;
  return {
    // A customer with its addresses (JSON rows of customer_addresses) in one round trip: by
    // id, or as the owner of a conversation's address. Turns read the customer of their
    // conversation; the row then the addresses cost two waits each time.
    customerRows: `SELECT * FROM ${s}customers WHERE customer_id = ANY($1::text[])`,
    customerWithAddresses: `SELECT cu.*, ${addressesOf} FROM ${s}customers cu
      WHERE cu.customer_id = $1`,
    conversationCustomer: `SELECT cu.*, ${addressesOf} FROM ${s}customers cu
      WHERE cu.customer_id = (SELECT a.customer_id FROM ${s}conversations c ${owned}
        WHERE c.conversation_sid = $1)`,
    // `customerByAddress` of several addresses at once ($1 kinds, $2 values, in pairs): the
    // lookups made in one loop turn (every customer message on arrival, SMS and WhatsApp
    // siblings together) share one round trip; each row names the pair it answers.
    customersByAddresses: `SELECT k.kind AS looked_kind, k.value AS looked_value, cu.*, ${addressesOf}
      FROM unnest($1::text[], $2::text[]) AS k (kind, value)
      JOIN ${s}customer_addresses a ON a.kind = k.kind AND a.value = k.value
      JOIN ${s}customers cu ON cu.customer_id = a.customer_id`,
    // `ensureCustomer` in one statement and one round trip (autocommit): the owner if the
    // address has one; otherwise the address is inserted for the new id ($3) and the customer
    // row only when that insert happened, so a first contact that loses a race leaves no
    // customer behind (both inserts are one statement: all or nothing). No row answered: a
    // concurrent first contact won the address after this statement's snapshot; the caller
    // reads the owner. A new customer's only address is the one just inserted.
    ensureCustomerOnce: `WITH existing AS (
        SELECT customer_id FROM ${s}customer_addresses WHERE kind = $1 AND value = $2),
      new_address AS (
        INSERT INTO ${s}customer_addresses (kind, value, customer_id, source, linked_at)
        SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM existing)
        ON CONFLICT (kind, value) DO NOTHING RETURNING *),
      new_customer AS (
        INSERT INTO ${s}customers (customer_id, created_at)
        SELECT customer_id, $5 FROM new_address RETURNING *)
      SELECT cu.*, (SELECT json_agg(ad) FROM new_address ad) AS addresses FROM new_customer cu
      UNION ALL
      SELECT cu.*, ${addressesOf} FROM ${s}customers cu
      WHERE cu.customer_id = (SELECT customer_id FROM existing)`,
    // `ensureCustomerOnce` for several addresses ($1 kinds, $2 values, $3 new ids, $4 sources;
    // $5 now): first contacts of one loop turn in one statement. Each row names the position
    // it answers; an address asked twice gets the one customer made for it; a position
    // missing lost a race to a concurrent first contact (the caller reads the owner).
    ensureCustomers: `WITH asked AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
          AS k (kind, value, new_id, source, position)),
      existing AS (
        SELECT k.position, a.customer_id FROM asked k
          JOIN ${s}customer_addresses a ON a.kind = k.kind AND a.value = k.value),
      new_address AS (
        INSERT INTO ${s}customer_addresses (kind, value, customer_id, source, linked_at)
        SELECT k.kind, k.value, k.new_id, k.source, $5 FROM asked k
        WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.position = k.position)
        ORDER BY k.position
        ON CONFLICT (kind, value) DO NOTHING RETURNING *),
      new_customer AS (
        INSERT INTO ${s}customers (customer_id, created_at)
        SELECT customer_id, $5 FROM new_address RETURNING *)
      SELECT k.position, cu.*, (SELECT json_agg(ad) FROM new_address ad
          WHERE ad.customer_id = cu.customer_id) AS addresses
        FROM asked k JOIN new_address na ON na.kind = k.kind AND na.value = k.value
        JOIN new_customer cu ON cu.customer_id = na.customer_id
      UNION ALL
      SELECT e.position, cu.*, ${addressesOf} FROM existing e
        JOIN ${s}customers cu ON cu.customer_id = e.customer_id`,
    lockCustomers: `SELECT customer_id FROM ${s}customers WHERE customer_id = ANY($1::text[])
      ORDER BY customer_id FOR UPDATE`,
    customerAddresses: `SELECT * FROM ${s}customer_addresses WHERE customer_id = ANY($1::text[])`,
    addressOwner: `SELECT customer_id FROM ${s}customer_addresses WHERE kind = $1 AND value = $2`,
    insertCustomer: `INSERT INTO ${s}customers (customer_id, created_at) VALUES ($1, $2)`,
    insertAddress: `INSERT INTO ${s}customer_addresses (kind, value, customer_id, source, linked_at)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, value) DO NOTHING RETURNING customer_id`,
    deleteAddress: `DELETE FROM ${s}customer_addresses WHERE kind = $1 AND value = $2`,
    moveAddresses: `UPDATE ${s}customer_addresses SET customer_id = $1 WHERE customer_id = $2`,
    setCustomerHandoff: `UPDATE ${s}customers SET handoff_conversation_sid = $1, handoff_since = $2
      WHERE customer_id = $3`,
    deleteCustomerRow: `DELETE FROM ${s}customers WHERE customer_id = $1`,
    deleteCustomerAddresses: `DELETE FROM ${s}customer_addresses WHERE customer_id = $1`,
    customerConversationSids: `SELECT c.conversation_sid FROM ${s}conversations c ${owned}
      WHERE a.customer_id = $1`,
    customerConversations: `SELECT c.*, ${pendingCount} FROM ${s}conversations c ${owned}
      WHERE a.customer_id = $1 ORDER BY c.updated_at DESC, c.conversation_sid LIMIT $2`,
    // Consent is kept per channel address (`+1…`, `whatsapp:+1…`); erasing the customer erases it.
    deleteCustomerConsent: `DELETE FROM ${s}consent WHERE address IN (SELECT value
      FROM ${s}customer_addresses WHERE customer_id = $1 AND kind IN ('sms', 'whatsapp'))`,
    eraseMessages: `DELETE FROM ${s}messages WHERE conversation_sid = ANY($1::text[])`,
    eraseOutbox: `DELETE FROM ${s}outbox WHERE conversation_sid = ANY($1::text[])`,
    eraseDeliveries: `DELETE FROM ${s}deliveries WHERE conversation_sid = ANY($1::text[])`,
    eraseJournal: `DELETE FROM ${s}tool_journal WHERE conversation_sid = ANY($1::text[])`,
    eraseHandoffNotes: `DELETE FROM ${s}handoff_notes WHERE conversation_sid = ANY($1::text[])`,
    eraseTranscripts: `DELETE FROM ${s}media_transcripts WHERE conversation_sid = ANY($1::text[])`,
    eraseDeadLetters: `DELETE FROM ${s}inbound_dead_letters WHERE conversation_sid = ANY($1::text[])`,
    eraseConversations: `DELETE FROM ${s}conversations WHERE conversation_sid = ANY($1::text[])`,
    // A search reads every customer (a substring of any address); the plain list does not
    // (`customersByActivity`, through the three statements after this one).
    searchCustomers: `SELECT cu.*, coalesce((SELECT max(${activity}) FROM ${s}conversations c ${owned}
        WHERE a.customer_id = cu.customer_id), cu.created_at) AS last_activity_at
      FROM ${s}customers cu
      WHERE cu.customer_id = $1 OR EXISTS (SELECT 1
        FROM ${s}customer_addresses f WHERE f.customer_id = cu.customer_id
          AND lower(f.value) LIKE $2 ESCAPE '\\')
      ORDER BY last_activity_at DESC, cu.customer_id LIMIT $3`,
    // Through conversations_by_activity: the expression is the index's.
    activityCutoff: `SELECT ${activity} AS at FROM ${s}conversations c
      ORDER BY ${activity} DESC LIMIT 1 OFFSET $1::integer - 1`,
    activeCustomersSince: `SELECT a.customer_id AS "customerId", max(${activity}) AS at
      FROM ${s}conversations c ${owned}
      WHERE ${activity} >= coalesce($1::double precision, '-Infinity')
      GROUP BY a.customer_id`,
    // Through customers_by_created, newest first.
    quietCustomersSince: `SELECT cu.customer_id AS "customerId", cu.created_at AS at
      FROM ${s}customers cu
      WHERE cu.created_at >= coalesce($1::double precision, '-Infinity') AND NOT EXISTS (
        SELECT 1 FROM ${s}conversations c ${owned} WHERE a.customer_id = cu.customer_id)
      ORDER BY cu.created_at DESC, cu.customer_id LIMIT $2`,
  } as const;
}
