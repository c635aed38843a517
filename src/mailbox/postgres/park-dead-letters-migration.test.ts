import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import { postgresMigrations } from "./postgres-schema.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

describeWithPostgres("PostgreSQL schema 19: dead letters leave the claim's walk", (url) => {
  const schema = testSchemaName();
  afterEach(async () => {
    await dropTestSchema(url, schema);
  });

  it("parks an existing dead letter's messages on upgrade, and a retry frees them", async () => {
    // A schema at version 18 with a dead letter that owes a message, and a live conversation.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const dead = `CH${"d".repeat(32)}`;
    const live = `CH${"a".repeat(32)}`;
    try {
      await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      await client.query(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      for (let version = 1; version <= 18; version++) {
        await client.query(postgresMigrations[version - 1]!);
        await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
      }
      await client.query(
        `INSERT INTO conversations (conversation_sid, state, channel, created_at, updated_at)
         VALUES ($1, 'dead', 'sms', 0, 0), ($2, 'idle', 'sms', 0, 0)`,
        [dead, live],
      );
      for (const conversationSid of [dead, live]) {
        const message = inboundMessage({
          conversationSid,
          messageSid: `IM${conversationSid.slice(2)}`,
        });
        await client.query(
          `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status,
             record, ingested_at) VALUES ($1, $2, 0, 'customer', 'pending', $3, 1)`,
          [message.messageSid, conversationSid, JSON.stringify(message)],
        );
      }
    } finally {
      await client.end();
    }

    const store = postgresMailbox({ connectionString: url, schema, settleWindowMs: 0 });
    try {
      await store.start?.();
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      try {
        const { rows } = await check.query(
          `SELECT conversation_sid, parked FROM ${pg.escapeIdentifier(schema)}.messages ORDER BY 1`,
        );
        expect(rows).toEqual([
          { conversation_sid: live, parked: false },
          { conversation_sid: dead, parked: true },
        ]);
      } finally {
        await check.end();
      }
      const [first] = await store.claim("worker-a", 10, 30_000);
      expect(first?.conversationSid).toBe(live);
      expect(await store.claim("worker-a", 10, 30_000)).toEqual([]);
      expect(await store.retryDeadLetter(dead)).toBe(true);
      const [retried] = await store.claim("worker-a", 10, 30_000);
      expect(retried?.conversationSid).toBe(dead);
    } finally {
      await store.close();
    }
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const { rows } = await check.query(
        `SELECT max(version) AS version FROM ${pg.escapeIdentifier(schema)}.schema_migrations`,
      );
      expect(rows[0]?.version).toBe(postgresMigrations.length);
    } finally {
      await check.end();
    }
  });
});
