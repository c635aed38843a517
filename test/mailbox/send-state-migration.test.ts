import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { MailboxStore, OutboxItem } from "../../src/mailbox/mailbox-store.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import {
  createManualClock,
  fakeSid,
  inboundMessage,
  textReply,
} from "../../src/testing/mailbox-contract/contract-fixtures.js";

/**
 * Rows an older version left mid-send carry the sender's note at the end of `last_error`;
 * the migration to typed send state must keep what each note meant: only `outcome=unsent`
 * lets the next try send without first looking for the reply.
 */
const notes = {
  unsent: "HTTP 503 [send attempt=1 throttled=0 outcome=unsent]",
  ambiguous: "timeout [send attempt=2 throttled=3 outcome=ambiguous]",
  none: "socket hang up",
};

/** Three conversations, one reply each in the outbox; answers their SIDs by note. */
async function threeReplies(store: MailboxStore): Promise<Record<keyof typeof notes, string>> {
  const sids = { unsent: fakeSid("CH"), ambiguous: fakeSid("CH"), none: fakeSid("CH") };
  for (const conversationSid of Object.values(sids)) {
    await store.ingest(inboundMessage({ conversationSid, index: 0 }));
    const [lease] = await store.claim("worker", 1, 10_000);
    await store.complete(lease!, [textReply("hello")]);
  }
  return sids;
}

function expectMigrated(items: OutboxItem[], sids: Record<keyof typeof notes, string>) {
  const of = (sid: string) => items.find((item) => item.conversationSid === sid);
  expect(of(sids.unsent)).toMatchObject({ lastOutcome: "unsent", mustReconcile: false });
  expect(of(sids.ambiguous)).toMatchObject({ lastOutcome: "ambiguous", mustReconcile: true });
  expect(of(sids.none)).toMatchObject({ lastOutcome: null, mustReconcile: true });
}

describe("the send-state migration of a SQLite file", () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it("turns the sender's notes in last_error into typed send state", async () => {
    folder = await mkdtemp(join(tmpdir(), "send-state-"));
    const path = join(folder, "mailbox.db");
    const clock = createManualClock();
    let store = sqliteMailbox({ path, now: clock.now, writerThread: false });
    const sids = await threeReplies(store);
    await store.close();

    // Back to the version before this migration, as an older switchboard left it: later
    // migrations are undone too, so they run again after it.
    const database = new Database(path);
    database.exec(`
      ALTER TABLE outbox DROP COLUMN throttled_count;
      ALTER TABLE outbox DROP COLUMN last_outcome;
      ALTER TABLE outbox DROP COLUMN must_reconcile;
      ALTER TABLE outbox DROP COLUMN attempt_deadline;
      ALTER TABLE conversations DROP COLUMN gone_at;
      ALTER TABLE conversations DROP COLUMN gone_reason;
      DROP TABLE deliveries;
      DROP TABLE consent;
      DROP TABLE customer_addresses;
      DROP TABLE customers;
      DROP TABLE media_transcripts;
      DROP TABLE inbound_dead_letters;
      DROP INDEX conversations_by_activity;
      DROP TRIGGER conversations_park_dead;
      DROP TRIGGER conversations_unpark_revived;
      DROP INDEX messages_waiting;
      ALTER TABLE messages DROP COLUMN parked;
      DELETE FROM schema_version WHERE version >= 3;`);
    const update = database.prepare(
      "UPDATE outbox SET attempts = 1, last_error = ? WHERE conversation_sid = ?",
    );
    for (const [note, sid] of Object.entries(sids))
      update.run(notes[note as keyof typeof notes], sid);
    database.close();

    store = sqliteMailbox({ path, now: clock.now, writerThread: false });
    try {
      expectMigrated(await store.claimOutbox("sender", 10, 10_000), sids);
    } finally {
      await store.close();
    }
  });
});

describeWithPostgres("the send-state migration of a PostgreSQL schema", (url) => {
  let schema: string | undefined;
  afterEach(async () => {
    if (schema !== undefined) await dropTestSchema(url, schema);
    schema = undefined;
  });

  it("turns the sender's notes in last_error into typed send state", async () => {
    const name = testSchemaName();
    schema = name;
    const clock = createManualClock();
    const open = () =>
      postgresMailbox({ connectionString: url, schema: name, poolSize: 2, now: clock.now });
    let store = open();
    const sids = await threeReplies(store);
    await store.close();

    const table = `${pg.escapeIdentifier(name)}.outbox`;
    await adminQuery(
      url,
      `ALTER TABLE ${table} DROP COLUMN throttled_count, DROP COLUMN last_outcome,
         DROP COLUMN must_reconcile`,
    );
    await adminQuery(
      url,
      `ALTER TABLE ${pg.escapeIdentifier(name)}.conversations DROP COLUMN gone_at,
         DROP COLUMN gone_reason`,
    );
    await adminQuery(
      url,
      // Version 4 and everything after it, which re-apply on open (later migrations are
      // idempotent), so the rewind holds whatever is appended after version 4.
      `DELETE FROM ${pg.escapeIdentifier(name)}.schema_migrations WHERE version >= 4`,
    );
    for (const [note, sid] of Object.entries(sids))
      await adminQuery(
        url,
        `UPDATE ${table} SET attempts = 1, last_error = $1 WHERE conversation_sid = $2`,
        [notes[note as keyof typeof notes], sid],
      );

    store = open();
    try {
      const items = await store.claimOutbox("sender", 10, 10_000);
      expectMigrated(items, sids);
      // PostgreSQL also carries the 429 count forward from the note.
      expect(items.find((item) => item.conversationSid === sids.ambiguous)?.throttledCount).toBe(3);
    } finally {
      await store.close();
    }
  });
});
