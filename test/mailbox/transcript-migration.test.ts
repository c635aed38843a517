import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { MailboxStore } from "../../src/mailbox/mailbox-store.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import { postgresMigrations } from "../../src/mailbox/postgres/postgres-schema.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { sqliteMigrations } from "../../src/mailbox/sqlite-schema.js";
import {
  createManualClock,
  fakeSid,
  inboundMessage,
} from "../../src/testing/mailbox-contract/contract-fixtures.js";

/**
 * An earlier version kept voice-note transcripts in meta (`transcripts:<IM…>`, a JSON object
 * by media position). The migration to the transcript table moves those whose message is
 * still held, skips values that are not such an object, and removes every old meta row.
 */
async function oldTranscripts(store: MailboxStore) {
  const kept = fakeSid("IM");
  await store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), messageSid: kept }));
  return {
    kept,
    rows: [
      [`transcripts:${kept}`, JSON.stringify({ 0: "Is this part right?", 2: "thanks", x: "no" })],
      [`transcripts:${fakeSid("IM")}`, JSON.stringify({ 0: "message long gone" })],
      [`transcripts:${fakeSid("IM")}`, "{not json"],
    ] as const,
  };
}

describe("the transcript migration of a SQLite file", () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it("moves meta transcripts of held messages into the table and drops the meta rows", async () => {
    folder = await mkdtemp(join(tmpdir(), "transcripts-"));
    const path = join(folder, "mailbox.db");
    const clock = createManualClock();
    let store = sqliteMailbox({ path, now: clock.now, writerThread: false });
    const { kept, rows } = await oldTranscripts(store);
    await store.close();

    const database = new Database(path);
    const version = sqliteMigrations.findIndex((sql) => sql.includes("media_transcripts")) + 1;
    // Later migrations run again after it: those that add a column are undone too.
    database.exec(`DROP TABLE media_transcripts;
      ALTER TABLE outbox DROP COLUMN attempt_deadline;
      DROP TRIGGER conversations_park_dead;
      DROP TRIGGER conversations_unpark_revived;
      DROP INDEX messages_waiting;
      ALTER TABLE messages DROP COLUMN parked;
      DELETE FROM schema_version WHERE version >= ${version};`);
    const insert = database.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    for (const [key, value] of rows) insert.run(key, value);
    database.close();

    store = sqliteMailbox({ path, now: clock.now, writerThread: false });
    try {
      expect(await store.transcripts(kept)).toEqual([
        { mediaIndex: 0, text: "Is this part right?" },
        { mediaIndex: 2, text: "thanks" },
      ]);
      for (const [key] of rows) expect(await store.getMeta(key)).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describeWithPostgres("the transcript migration of a PostgreSQL schema", (url) => {
  let schema: string | undefined;
  afterEach(async () => {
    if (schema !== undefined) await dropTestSchema(url, schema);
    schema = undefined;
  });

  it("moves meta transcripts of held messages into the table and drops the meta rows", async () => {
    const name = testSchemaName();
    schema = name;
    const clock = createManualClock();
    const open = () =>
      postgresMailbox({ connectionString: url, schema: name, poolSize: 2, now: clock.now });
    let store = open();
    const { kept, rows } = await oldTranscripts(store);
    await store.close();

    const quoted = pg.escapeIdentifier(name);
    const version = postgresMigrations.findIndex((sql) => sql.includes("media_transcripts")) + 1;
    await adminQuery(url, `DROP TABLE ${quoted}.media_transcripts`);
    // This version and every later one re-apply on open (they are idempotent).
    await adminQuery(url, `DELETE FROM ${quoted}.schema_migrations WHERE version >= ${version}`);
    for (const [key, value] of rows)
      await adminQuery(url, `INSERT INTO ${quoted}.meta (key, value) VALUES ($1, $2)`, [
        key,
        value,
      ]);

    store = open();
    try {
      expect(await store.transcripts(kept)).toEqual([
        { mediaIndex: 0, text: "Is this part right?" },
        { mediaIndex: 2, text: "thanks" },
      ]);
      for (const [key] of rows) expect(await store.getMeta(key)).toBeNull();
    } finally {
      await store.close();
    }
  });
});
