import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import { rowsReadBy } from "./test-support/rows-read.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

// The turn claim must cost what it claims, not what is dead-lettered: it walked every pending
// message of every dead letter on each claim (16 ms a claim at 10,000 of them, and every
// webhook wakes one). The rows it reads are counted from PostgreSQL's own per-transaction
// statistics, so the test needs no timing.
describeWithPostgres("postgresMailbox: the turn claim skips dead letters", (url) => {
  let schema: string;
  let store: MailboxStore;
  let client: pg.Client;

  beforeEach(async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await store.close();
    await dropTestSchema(url, schema);
  });

  /**
   * A fresh schema with `dead` dead-lettered conversations, each owing two messages (one
   * arrived after it died), and one live conversation waiting behind them.
   */
  async function deadLetters(dead: number): Promise<void> {
    schema = testSchemaName();
    store = postgresMailbox({ connectionString: url, schema, maxAttempts: 1, settleWindowMs: 0 });
    await store.start?.();
    const sids = Array.from({ length: dead }, () => fakeSid("CH"));
    for (const conversationSid of sids)
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
    for (;;) {
      const leases = await store.claim("worker-a", 100, 30_000);
      if (leases.length === 0) break;
      for (const lease of leases) await store.fail(lease, "model down", Date.now());
    }
    for (const conversationSid of sids)
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
    await store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), index: 0 }));
    expect((await store.stats()).deadLetters).toBe(dead);
    // What autovacuum does in a running service: the parking updates leave dead index entries.
    await client.query(`VACUUM "${schema}".messages`);
  }

  /** Message rows read by one claim, in a transaction rolled back afterwards. */
  async function rowsReadByClaim(): Promise<{ claimed: number; read: number }> {
    const at = Date.now();
    const { rows, read } = await rowsReadBy(client, schema, "messages", () =>
      client.query(
        `SELECT * FROM "${schema}".claim_turns('probe', 10, $1, $2, 'probe-instance', 0, 1,
           'queue', 0, 20)`,
        [at + 30_000, at],
      ),
    );
    return { claimed: rows, read };
  }

  it("reads the same with 200 dead letters as with 10", async () => {
    // The plan a grown table gets (a tiny one is read whole, whatever is dead-lettered).
    await client.query("SET enable_seqscan = off");
    await deadLetters(10);
    const few = await rowsReadByClaim();
    await store.close();
    await dropTestSchema(url, schema);
    await deadLetters(200);
    const many = await rowsReadByClaim();
    expect([few.claimed, many.claimed]).toEqual([1, 1]);
    // The live conversation's message, its turn's read and count: a handful of rows. Walking
    // the dead letters read two rows per dead conversation (400 here).
    expect(few.read).toBeLessThan(10);
    expect(many.read).toBe(few.read);
  });
});
