import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, sqlitePageCacheKiB } from "./open-sqlite-database.js";

const mib = 2 ** 20;

describe("openSqliteDatabase: the page cache of a mailbox connection", () => {
  let folder: string;
  const toClose: Database.Database[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-page-cache-"));
  });
  afterEach(async () => {
    for (const database of toClose.splice(0)) database.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("is bounded explicitly (not the bundled build's 16 MB) and maps no file memory", () => {
    const database = openSqliteDatabase(join(folder, "mailbox.db"));
    toClose.push(database);
    expect(database.pragma("cache_size", { simple: true })).toBe(-sqlitePageCacheKiB);
    expect(database.pragma("mmap_size", { simple: true })).toBe(0);
  });

  it("stays within its bound while reading a file many times larger", () => {
    // 40 MB of rows, written by another process so none of it is already in this one's
    // allocator (memory freed here would be reused without growing the RSS, hiding a cache).
    const location = join(folder, "mailbox.db");
    const written = spawnSync(
      process.execPath,
      [
        "-e",
        `const Database = require("better-sqlite3");
         const database = new Database(${JSON.stringify(location)});
         database.pragma("journal_mode = WAL");
         database.exec("CREATE TABLE bulk (id INTEGER PRIMARY KEY, payload BLOB)");
         database.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) INSERT INTO bulk SELECT i, randomblob(1000) FROM n");
         database.close();`,
      ],
      { cwd: process.cwd(), encoding: "utf8" },
    );
    expect(written.stderr).toBe("");
    expect(written.status).toBe(0);
    const scan = "SELECT sum(length(payload)) AS bytes FROM bulk";

    const bounded = openSqliteDatabase(location);
    toClose.push(bounded);
    const before = process.memoryUsage.rss();
    expect(bounded.prepare(scan).get()).toEqual({ bytes: 40_000_000 });
    const boundedGrowth = process.memoryUsage.rss() - before;

    // The same scan on a connection left at the build's default: the cache the bound
    // replaces, so this test would see it if the pragma stopped being applied.
    const unbounded = new Database(location);
    toClose.push(unbounded);
    const beforeUnbounded = process.memoryUsage.rss();
    expect(unbounded.prepare(scan).get()).toEqual({ bytes: 40_000_000 });
    const unboundedGrowth = process.memoryUsage.rss() - beforeUnbounded;

    expect(boundedGrowth).toBeLessThan(sqlitePageCacheKiB * 1024 + 3 * mib);
    expect(unboundedGrowth).toBeGreaterThan(10 * mib);
  });
});
