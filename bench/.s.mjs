// usage: node setup.mjs <worktree> <schema> <conversations> <backlog>
import pg from "pg";
const [wt, schema, n, backlog] = process.argv.slice(2);
const { migratePostgres } = await import(`${wt}/dist/mailbox/postgres/index.js`);
const url = "postgres://postgres@127.0.0.1:5432/test";
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await migratePostgres({ connectionString: url, schema });
await c.query(`SET search_path TO ${schema}`);
const N = Number(n), B = Number(backlog);
const now = 1_700_000_000_000;
// N conversations, each with one answered customer message (index 0) and a sent reply (index 1).
await c.query(`INSERT INTO conversations (conversation_sid, state, last_processed_index, last_index, outbox_seq, created_at, updated_at)
  SELECT 'CH' || g, 'idle', 0, 1, 1, ${now} - 100000, ${now} - 100000 FROM generate_series(1, ${N}) g`);
await c.query(`INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record, ingested_at)
  SELECT 'IM' || g || 'a', 'CH' || g, 0, 'customer', 'done', '{}', ${now} - 100000 FROM generate_series(1, ${N}) g`);
await c.query(`INSERT INTO outbox (reply_id, conversation_sid, seq, turn_id, position, after_index, reply, status, created_at, settled_at, sent_index, message_sid)
  SELECT 'r' || g, 'CH' || g, 1, 'IM' || g || 'a', 0, 0, '{}', 'sent', ${now} - 100000, ${now} - 99000, 1, 'IMb' || g FROM generate_series(1, ${N}) g`);
// Backlog: B conversations with a new customer message (index 2), waiting; 8 of them leased (in flight).
await c.query(`INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record, ingested_at)
  SELECT 'IM' || g || 'c', 'CH' || g, 2, 'customer', 'pending', '{}', ${now} - 2000 + g FROM generate_series(1, ${B}) g`);
await c.query(`UPDATE conversations SET state = 'leased', lease_owner = 'w', lease_expires_at = ${now} + 30000, lease_version = 1, turn_message_sids = ARRAY['IM' || substr(conversation_sid, 3) || 'c']
  WHERE conversation_sid IN (SELECT 'CH' || g FROM generate_series(1, 8) g)`);
// Open outbox: B/4 pending replies due now, 8 sending.
await c.query(`INSERT INTO outbox (reply_id, conversation_sid, seq, turn_id, position, after_index, reply, status, created_at)
  SELECT 'q' || g, 'CH' || g, 2, 'IM' || g || 'c', 0, 2, '{}', CASE WHEN g <= 8 THEN 'sending' ELSE 'pending' END, ${now} - 1000 FROM generate_series(${B} + 1, ${B} + ${Math.max(16, B / 4)}) g`);
await c.query(`UPDATE outbox SET lease_owner='w', lease_expires_at=${now} + 30000 WHERE status='sending'`);
await c.query(`ANALYZE`);
await c.end();
console.log("ok", schema, N, B);
