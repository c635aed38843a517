// A conversation belongs to the customer owning its address: its channel is the address kind
// (`app` addresses match no conversation) and its customer address the value.
/** A conversation's last activity: a customer message, else when it was first seen. */
const activity = "coalesce(c.last_inbound_at, c.created_at)";

const ownedConversations = `SELECT c.conversation_sid FROM conversations c
       JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
       WHERE a.customer_id = ?`;

/**
 * The SQLite mailbox's customer SQL, spread into its statement table; `conversationColumns`
 * are the columns the public conversation record is built from.
 */
export function sqliteCustomerSql(conversationColumns: string) {
  return {
    customerRow: "SELECT * FROM customers WHERE customer_id = ?",
    customerAddresses: "SELECT * FROM customer_addresses WHERE customer_id = ?",
    addressOwner: "SELECT customer_id FROM customer_addresses WHERE kind = ? AND value = ?",
    conversationOwner: `SELECT a.customer_id FROM conversations c
       JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
       WHERE c.conversation_sid = ?`,
    insertCustomer: "INSERT INTO customers (customer_id, created_at) VALUES (?, ?)",
    insertAddress: `INSERT INTO customer_addresses (kind, value, customer_id, source, linked_at)
       VALUES (?, ?, ?, ?, ?)`,
    deleteAddress: "DELETE FROM customer_addresses WHERE kind = ? AND value = ?",
    moveAddresses: "UPDATE customer_addresses SET customer_id = ? WHERE customer_id = ?",
    setCustomerHandoff: `UPDATE customers SET handoff_conversation_sid = ?, handoff_since = ?
       WHERE customer_id = ?`,
    deleteCustomerRow: "DELETE FROM customers WHERE customer_id = ?",
    deleteCustomerAddresses: "DELETE FROM customer_addresses WHERE customer_id = ?",
    customerConversationSids: ownedConversations,
    customerConversations: `SELECT ${conversationColumns} FROM conversations c
       JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
       WHERE a.customer_id = ? ORDER BY c.updated_at DESC, c.conversation_sid LIMIT +?`,
    // Consent is kept per channel address (`+1…`, `whatsapp:+1…`); erasing the customer erases it.
    deleteCustomerConsent: `DELETE FROM consent WHERE address IN (SELECT value
       FROM customer_addresses WHERE customer_id = ? AND kind IN ('sms', 'whatsapp'))`,
    eraseMessages: "DELETE FROM messages WHERE conversation_sid = ?",
    eraseOutbox: "DELETE FROM outbox WHERE conversation_sid = ?",
    eraseDeliveries: "DELETE FROM deliveries WHERE conversation_sid = ?",
    eraseJournal: "DELETE FROM tool_journal WHERE conversation_sid = ?",
    eraseHandoffNote: "DELETE FROM handoff_notes WHERE conversation_sid = ?",
    eraseTranscripts: "DELETE FROM media_transcripts WHERE conversation_sid = ?",
    eraseDeadLetters: "DELETE FROM inbound_dead_letters WHERE conversation_sid = ?",
    eraseConversation: "DELETE FROM conversations WHERE conversation_sid = ?",
    // A search reads every customer (a substring of any address); the plain list does not
    // (`customersByActivity`, through the three statements after this one).
    searchCustomers: `SELECT cu.*, coalesce((SELECT max(${activity}) FROM customer_addresses a
         JOIN conversations c ON c.channel = a.kind AND c.customer_address = a.value
         WHERE a.customer_id = cu.customer_id), cu.created_at) AS last_activity_at
       FROM customers cu
       WHERE cu.customer_id = @search OR EXISTS (SELECT 1
         FROM customer_addresses s WHERE s.customer_id = cu.customer_id
           AND lower(s.value) LIKE @pattern ESCAPE '\\')
       ORDER BY last_activity_at DESC, cu.customer_id LIMIT +@limit`,
    // Through conversations_by_activity: the expression is the index's.
    activityCutoff: `SELECT ${activity} AS at FROM conversations c
       ORDER BY ${activity} DESC LIMIT 1 OFFSET +? - 1`,
    activeCustomersSince: `SELECT a.customer_id AS "customerId", max(${activity}) AS at
       FROM conversations c
       JOIN customer_addresses a ON a.kind = c.channel AND a.value = c.customer_address
       WHERE ${activity} >= coalesce(?, -1e300)
       GROUP BY a.customer_id`,
    // Through customers_by_created, newest first.
    quietCustomersSince: `SELECT cu.customer_id AS "customerId", cu.created_at AS at
       FROM customers cu
       WHERE cu.created_at >= coalesce(?, -1e300) AND NOT EXISTS (SELECT 1
         FROM customer_addresses a JOIN conversations c
           ON c.channel = a.kind AND c.customer_address = a.value
         WHERE a.customer_id = cu.customer_id)
       ORDER BY cu.created_at DESC, cu.customer_id LIMIT +?`,
  } as const;
}
