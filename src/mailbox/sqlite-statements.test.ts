import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "./sqlite-schema.js";
import { prepareSqliteStatements } from "./sqlite-statements.js";

describe("prepareSqliteStatements", () => {
  let folder: string;
  let database: Database.Database;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-statements-"));
    database = new Database(join(folder, "mailbox.db"));
    migrate(database, "mailbox.db");
  });
  afterEach(async () => {
    database.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("binds no bare LIMIT parameter (SQLite recompiles such a statement on every binding)", () => {
    const statements = Object.entries(prepareSqliteStatements(database));
    expect(statements.length).toBeGreaterThan(50);
    const bare = statements
      .filter(([, statement]) => /\bLIMIT\s+[?@:$]/i.test(statement.source))
      .map(([name]) => name);
    expect(bare).toEqual([]);
  });

  it("still applies a LIMIT written with the unary plus", () => {
    const { recentMessages } = prepareSqliteStatements(database);
    database.exec(
      "INSERT INTO conversations (conversation_sid, created_at, updated_at) VALUES ('CH1', 0, 0)",
    );
    const insert = database.prepare(
      `INSERT INTO messages (message_sid, conversation_sid, message_index, role, status, record,
         ingested_at) VALUES (?, 'CH1', ?, 'customer', 'done', '{}', 0)`,
    );
    for (let index = 0; index < 5; index++) insert.run(`IM${index}`, index);
    const rows = (limit: number) =>
      (recentMessages.all("CH1", limit) as { message_index: number }[]).map(
        (row) => row.message_index,
      );
    expect(rows(2)).toEqual([4, 3]);
    expect(rows(4)).toEqual([4, 3, 2, 1]);
    expect(rows(0)).toEqual([]);
  });

  it("walks only the waiting messages of live conversations to find turn candidates", () => {
    const { candidates } = prepareSqliteStatements(database);
    const plan = (
      database.prepare(`EXPLAIN QUERY PLAN ${candidates.source}`).all(0, 0, 10) as {
        detail: string;
      }[]
    ).map((row) => row.detail);
    // The partial index that leaves out a dead letter's parked messages, read alone.
    expect(plan.join("\n")).toMatch(/COVERING INDEX messages_waiting/);
  });

  it("lists customers through the activity and creation indexes, never every customer", () => {
    const { activityCutoff, activeCustomersSince, quietCustomersSince } =
      prepareSqliteStatements(database);
    const plan = (statement: Database.Statement, ...values: unknown[]) =>
      (
        database.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(...values) as {
          detail: string;
        }[]
      )
        .map((row) => row.detail)
        .join("\n");
    expect(plan(activityCutoff, 200)).toMatch(/USING (COVERING )?INDEX conversations_by_activity/);
    expect(plan(activityCutoff, 200)).not.toMatch(/TEMP B-TREE/);
    expect(plan(activeCustomersSince, 0)).toMatch(
      /USING (COVERING )?INDEX conversations_by_activity/,
    );
    // Newest first down the creation index; each one's conversations looked up by address.
    const quiet = plan(quietCustomersSince, 0, 50);
    expect(quiet).toMatch(/USING (COVERING )?INDEX customers_by_created/);
    // Only ties of one creation time are sorted (by id), not the whole walk.
    expect(quiet).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    expect(quiet).not.toMatch(/SCAN c\b/);
  });

  it("walks the open replies in the order they fall due to find the heads to send", () => {
    const { outboxHeads } = prepareSqliteStatements(database);
    const plan = (
      database.prepare(`EXPLAIN QUERY PLAN ${outboxHeads.source}`).all({ at: 0, max: 10 }) as {
        detail: string;
      }[]
    ).map((row) => row.detail);
    // A range of the due index, already in order (no sort of every open reply), and one
    // probe per row for its conversation's head.
    expect(plan[0]).toMatch(/USING INDEX outbox_due_at/);
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
  });
});
