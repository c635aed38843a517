import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWriteBatcher } from "./write-batcher.js";

describe("createWriteBatcher", () => {
  let folder: string;
  let database: Database.Database;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-batcher-"));
    database = new Database(join(folder, "batch.db"));
    database.pragma("journal_mode = WAL");
    database.exec("CREATE TABLE items (name TEXT PRIMARY KEY)");
  });
  afterEach(async () => {
    database.close();
    await rm(folder, { recursive: true, force: true });
  });

  const insert = (name: string) => () =>
    database.prepare("INSERT INTO items (name) VALUES (?)").run(name).changes;
  const names = () =>
    (database.prepare("SELECT name FROM items ORDER BY name").all() as { name: string }[]).map(
      (row) => row.name,
    );

  it("commits writes issued together in one transaction", async () => {
    const batcher = createWriteBatcher(database, { windowMs: 0 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => batcher.run(insert(`item-${n}`))),
    );
    expect(results).toEqual(Array.from({ length: 50 }, () => 1));
    expect(batcher.stats()).toEqual({ commits: 1, operations: 50 });
    expect(names()).toHaveLength(50);
  });

  it("rolls back only the operation that throws, and runs its callbacks only on success", async () => {
    const batcher = createWriteBatcher(database, { windowMs: 0 });
    const committed: string[] = [];
    const first = batcher.run((afterCommit) => {
      afterCommit(() => committed.push("first"));
      return insert("a")();
    });
    const failing = batcher.run((afterCommit) => {
      afterCommit(() => committed.push("failing"));
      insert("b")();
      throw new Error("refused");
    });
    const third = batcher.run(insert("c"));
    await expect(failing).rejects.toThrow("refused");
    expect(await first).toBe(1);
    expect(await third).toBe(1);
    expect(names()).toEqual(["a", "c"]);
    expect(committed).toEqual(["first"]);
    expect(batcher.stats().commits).toBe(1);
  });

  it("rejects every operation of a batch whose commit fails", async () => {
    const batcher = createWriteBatcher(database, { windowMs: 0 });
    const other = new Database(join(folder, "batch.db"));
    other.pragma("busy_timeout = 0");
    database.pragma("busy_timeout = 0");
    other.exec("BEGIN IMMEDIATE");
    try {
      const results = await Promise.allSettled([
        batcher.run(insert("x")),
        batcher.run(insert("y")),
      ]);
      expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(names()).toEqual([]);
  });

  it("waits for a window when asked, and flushNow commits at once", async () => {
    const batcher = createWriteBatcher(database, { windowMs: 60_000 });
    let resolved = false;
    const pending = batcher.run(insert("late")).then((changes) => {
      resolved = true;
      return changes;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // Not committed yet, so not resolved yet: a resolved write is always a durable one.
    expect(resolved).toBe(false);
    expect(names()).toEqual([]);
    batcher.flushNow();
    expect(await pending).toBe(1);
    expect(names()).toEqual(["late"]);
  });
});
