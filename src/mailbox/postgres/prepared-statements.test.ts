import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  fakeSid,
  inboundMessage,
  textReply,
} from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

describeWithPostgres("postgresMailbox: prepared statements", (url) => {
  let schema: string;
  let store: MailboxStore;

  beforeEach(async () => {
    schema = testSchemaName();
    // One connection: the statements below are prepared on it before the schema changes.
    store = postgresMailbox({ connectionString: url, schema, poolSize: 1 });
    await store.start?.();
  });
  afterEach(async () => {
    await store.close();
    await dropTestSchema(url, schema);
  });

  it("keeps working when a newer instance changes a table under its prepared statements", async () => {
    const conversationSid = fakeSid("CH");
    await store.ingest(inboundMessage({ conversationSid, index: 0 }));
    expect(await store.conversation(conversationSid)).toMatchObject({ conversationSid });
    const [lease] = await store.claim("worker-a", 1, 10_000);
    await store.complete(lease!, [textReply("one")]);
    await store.ingest(inboundMessage({ conversationSid, index: 1 }));

    // What a later migration may do while this instance runs: `SELECT c.*` statements
    // prepared before now would return a different row type, which PostgreSQL refuses.
    await adminQuery(url, `ALTER TABLE "${schema}".conversations ADD COLUMN later_column text`);

    // A read in autocommit, and a transaction (fail locks the row with `SELECT c.*`).
    expect(await store.conversation(conversationSid)).toMatchObject({ conversationSid });
    const [next] = await store.claim("worker-a", 1, 10_000);
    expect(next?.messages.map((message) => message.index)).toEqual([1]);
    expect(await store.fail(next!, "boom", Date.now())).toBe("backoff");
    expect(await store.conversation(conversationSid)).toMatchObject({ state: "backoff" });
  });

  for (const preparedStatements of [true, false])
    it(`prepares the statements on each connection only when asked (${preparedStatements})`, async () => {
      // A pool of one connection, so asking it shows what the store left prepared there.
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const ownSchema = testSchemaName();
      const own = postgresMailbox({ pool, schema: ownSchema, preparedStatements });
      try {
        await own.start?.();
        const conversationSid = fakeSid("CH");
        await own.ingest(inboundMessage({ conversationSid, index: 0 }));
        const [lease] = await own.claim("worker-a", 1, 10_000);
        await own.complete(lease!, [textReply("one")]);
        const { rows } = await pool.query<{ prepared: number }>(
          "SELECT count(*)::integer AS prepared FROM pg_prepared_statements WHERE name LIKE 'sb\\_%'",
        );
        if (preparedStatements) expect(rows[0]?.prepared).toBeGreaterThan(2);
        else expect(rows[0]?.prepared).toBe(0);
      } finally {
        await own.close();
        await pool.end();
        await dropTestSchema(url, ownSchema);
      }
    });
});
