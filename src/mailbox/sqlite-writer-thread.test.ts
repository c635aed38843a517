import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeaseLostError } from "./mailbox-errors.js";
import { openSqliteDatabase } from "./open-sqlite-database.js";
import type { SqliteWriteSettings } from "./sqlite-write.js";
import { inThreadSqliteWriter, type SqliteWriter } from "./sqlite-writer.js";
import { startSqliteWriterThread } from "./sqlite-writer-thread.js";
import { fromWireError, toWireError } from "./wire-error.js";

const settings: SqliteWriteSettings = {
  settleWindowMs: 0,
  maxAttempts: 3,
  defaultPolicy: { mode: "queue" },
  dedupeRetentionMs: 7 * 24 * 60 * 60 * 1000,
};

describe("startSqliteWriterThread", () => {
  let folder: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-writer-"));
  });
  afterEach(async () => {
    for (const item of toClose.splice(0).reverse()) await item.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** A migrated mailbox file and a reader connection on it, like the mailbox's own. */
  const mailboxFile = (name = "mailbox.db") => {
    const location = join(folder, name);
    const reader = openSqliteDatabase(location);
    toClose.push(reader);
    return { location, reader };
  };
  const fallbackCalls: string[] = [];
  const recordingFallback =
    (database: Database.Database) =>
    (reason: string): SqliteWriter => {
      fallbackCalls.push(`fallback: ${reason}`);
      return inThreadSqliteWriter(database, settings);
    };
  const meta = (database: Database.Database, key: string) =>
    (database.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string })?.value;

  it("commits on another connection, in the thread, and resolves after the commit", async () => {
    fallbackCalls.length = 0;
    const { location, reader } = mailboxFile();
    const writer = startSqliteWriterThread(location, settings, recordingFallback(reader));
    toClose.push(writer);
    // data_version changes only when another connection commits: not this reader.
    const before = reader.pragma("data_version", { simple: true });
    const outcomes = await writer.commit(
      [
        { kind: "setMeta", key: "cursor", value: "42" },
        { kind: "setMeta", key: "other", value: "7" },
      ],
      Date.UTC(2026, 0, 1),
    );
    expect(outcomes).toEqual([
      { ok: true, value: { value: undefined, notices: [] } },
      { ok: true, value: { value: undefined, notices: [] } },
    ]);
    expect(reader.pragma("data_version", { simple: true })).not.toBe(before);
    expect(meta(reader, "cursor")).toBe("42");
    expect(fallbackCalls).toEqual([]);
  });

  it("brings a failed write's error back with its class and fields, alone", async () => {
    fallbackCalls.length = 0;
    const { location, reader } = mailboxFile();
    const writer = startSqliteWriterThread(location, settings, recordingFallback(reader));
    toClose.push(writer);
    const lease = { conversationSid: "CH0000000000000000000000000000000a", leaseVersion: 3 };
    const [lost, kept] = await writer.commit(
      [
        {
          kind: "fail",
          lease: { ...lease, workerId: "worker-a" },
          reason: "stale",
          retryAt: 0,
        },
        { kind: "setMeta", key: "kept", value: "yes" },
      ],
      Date.UTC(2026, 0, 1),
    );
    expect(lost?.ok).toBe(false);
    const error = lost?.ok === false ? lost.error : undefined;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ code: "lease_lost", ...lease });
    expect(kept?.ok).toBe(true);
    expect(meta(reader, "kept")).toBe("yes");
    expect(fallbackCalls).toEqual([]);
  });

  it("falls back to the given writer when the thread cannot open the file", async () => {
    fallbackCalls.length = 0;
    const { reader } = mailboxFile();
    const garbage = join(folder, "garbage.db");
    await writeFile(garbage, "this is not sqlite ".repeat(100));
    const writer = startSqliteWriterThread(garbage, settings, recordingFallback(reader));
    toClose.push(writer);
    const outcomes = await writer.commit([{ kind: "setMeta", key: "where", value: "here" }], 0);
    expect(outcomes[0]?.ok).toBe(true);
    // Nothing was written by the thread; the fallback wrote it, exactly once.
    expect(fallbackCalls).toEqual(["fallback: it could not open the file"]);
    expect(meta(reader, "where")).toBe("here");
  });

  it("serves several mailboxes at once, each on its own file", async () => {
    fallbackCalls.length = 0;
    const first = mailboxFile("first.db");
    const second = mailboxFile("second.db");
    const writers = [first, second].map(({ location, reader }) => {
      const writer = startSqliteWriterThread(location, settings, recordingFallback(reader));
      toClose.push(writer);
      return writer;
    });
    await Promise.all(
      writers.map((writer, position) =>
        writer.commit([{ kind: "setMeta", key: "name", value: `mailbox ${position}` }], 0),
      ),
    );
    expect(meta(first.reader, "name")).toBe("mailbox 0");
    expect(meta(second.reader, "name")).toBe("mailbox 1");
    expect(fallbackCalls).toEqual([]);
  });
});

describe("wire errors", () => {
  it("keep a SqliteError's class and code, and any error's name, code and stack", () => {
    const database = new Database(":memory:");
    let thrown: unknown;
    try {
      database.exec("INSERT INTO missing VALUES (1)");
    } catch (error) {
      thrown = error;
    } finally {
      database.close();
    }
    const revived = fromWireError(structuredClone(toWireError(thrown)));
    expect(revived).toBeInstanceOf(Database.SqliteError);
    expect(revived).toMatchObject({ code: "SQLITE_ERROR", message: (thrown as Error).message });
    expect(revived.stack).toBe((thrown as Error).stack);

    const custom = Object.assign(new RangeError("too far"), { code: "too_far" });
    expect(fromWireError(structuredClone(toWireError(custom)))).toMatchObject({
      name: "RangeError",
      message: "too far",
      code: "too_far",
    });
    expect(fromWireError(toWireError("a string")).message).toBe("a string");
  });
});
