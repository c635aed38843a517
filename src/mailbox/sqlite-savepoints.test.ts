import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSavepointCommitter } from "./sqlite-savepoints.js";

describe("createSavepointCommitter", () => {
  let folder: string;
  let database: Database.Database;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-savepoints-"));
    database = new Database(join(folder, "batch.db"));
    database.pragma("journal_mode = WAL");
    database.exec("CREATE TABLE item (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  });
  afterEach(async () => {
    database.close();
    await rm(folder, { recursive: true, force: true });
  });

  const rows = () =>
    database.prepare("SELECT key, value FROM item ORDER BY key").all() as {
      key: string;
      value: number;
    }[];
  const insert =
    (key: string, value = 1) =>
    () =>
      database.prepare("INSERT INTO item (key, value) VALUES (?, ?)").run(key, value).changes;

  it("commits a batch with no failure in one transaction, every outcome ok", () => {
    const commit = createSavepointCommitter(database);
    const outcomes = commit([insert("a"), insert("b"), insert("c")]);
    expect(outcomes).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 1 },
      { ok: true, value: 1 },
    ]);
    expect(rows().map((row) => row.key)).toEqual(["a", "b", "c"]);
  });

  it("fails an operation alone: its own partial writes are undone, the others' kept once", () => {
    const commit = createSavepointCommitter(database);
    let runsOfA = 0;
    const countedA = () => {
      runsOfA += 1;
      return insert("a")();
    };
    const halfThenThrow = () => {
      insert("half")();
      throw new Error("lost lease");
    };
    // A constraint failure inside the database is an operation failure too.
    const duplicateOfA = insert("a", 2);
    const outcomes = commit([countedA, halfThenThrow, duplicateOfA, insert("c")]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { message: "lost lease" } });
    expect(rows()).toEqual([
      { key: "a", value: 1 },
      { key: "c", value: 1 },
    ]);
    // The first try rolled back whole and the batch ran again, so A ran twice, committed once.
    expect(runsOfA).toBe(2);
    // The connection is left outside any transaction: the next batch commits normally.
    expect(database.inTransaction).toBe(false);
    expect(commit([insert("d")])).toEqual([{ ok: true, value: 1 }]);
    expect(rows().map((row) => row.key)).toEqual(["a", "c", "d"]);
  });

  it("throws, writing nothing, when the transaction itself cannot begin", () => {
    const commit = createSavepointCommitter(database);
    database.pragma("busy_timeout = 0");
    // Another connection holds the write lock: BEGIN IMMEDIATE fails with SQLITE_BUSY.
    const other = new Database(join(folder, "batch.db"));
    other.exec("BEGIN IMMEDIATE");
    try {
      expect(() => commit([insert("a")])).toThrow(expect.objectContaining({ code: "SQLITE_BUSY" }));
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(rows()).toEqual([]);
    expect(database.inTransaction).toBe(false);
  });
});
