import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inboundMessage } from "../testing/mailbox-contract/contract-fixtures.js";
import { sqliteMailbox } from "./sqlite-mailbox.js";
import { migrate, sqliteMigrations } from "./sqlite-schema.js";

describe("the SQLite schema's migrations", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-schema-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("parks the pending messages of a file's existing dead letters (11), and a retry frees them", async () => {
    const path = join(folder, "mailbox.db");
    // A file at schema 10 holding a dead letter that owes a message, and a live conversation.
    const older = new Database(path);
    older.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    for (let version = 1; version <= 10; version++) {
      older.exec(sqliteMigrations[version - 1]!);
      older.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
    }
    const dead = `CH${"d".repeat(32)}`;
    const live = `CH${"a".repeat(32)}`;
    older
      .prepare(
        `INSERT INTO conversations (conversation_sid, state, channel, created_at, updated_at)
         VALUES (?, 'dead', 'sms', 0, 0), (?, 'idle', 'sms', 0, 0)`,
      )
      .run(dead, live);
    const record = (messageSid: string, conversationSid: string) =>
      JSON.stringify(inboundMessage({ conversationSid, messageSid }));
    const insert = older.prepare(
      `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
         ingested_at) VALUES (?, ?, 0, 'customer', 'pending', ?, 1)`,
    );
    insert.run(`IM${"d".repeat(32)}`, dead, record(`IM${"d".repeat(32)}`, dead));
    insert.run(`IM${"a".repeat(32)}`, live, record(`IM${"a".repeat(32)}`, live));
    older.close();

    const reader = new Database(path);
    migrate(reader, path);
    const parked = () =>
      reader.prepare("SELECT conversation_sid, parked FROM messages ORDER BY 1").all();
    expect(parked()).toEqual([
      { conversation_sid: live, parked: 0 },
      { conversation_sid: dead, parked: 1 },
    ]);
    reader.close();

    const mailbox = sqliteMailbox({ path });
    try {
      const [first] = await mailbox.claim("worker-a", 10, 30_000);
      expect(first?.conversationSid).toBe(live);
      expect(await mailbox.claim("worker-a", 10, 30_000)).toEqual([]);
      expect(await mailbox.retryDeadLetter(dead)).toBe(true);
      const [retried] = await mailbox.claim("worker-a", 10, 30_000);
      expect(retried?.conversationSid).toBe(dead);
    } finally {
      await mailbox.close();
    }
  });
});
