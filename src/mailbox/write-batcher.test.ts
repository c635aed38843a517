import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSavepointCommitter } from "./sqlite-savepoints.js";
import { type BatchOutcome, createWriteBatcher, eachAloneOnFailure } from "./write-batcher.js";

describe("createWriteBatcher over savepoint commits", () => {
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

  type Operation = () => number;
  const insert = (name: string) => () =>
    database.prepare("INSERT INTO items (name) VALUES (?)").run(name).changes;
  const names = () =>
    (database.prepare("SELECT name FROM items ORDER BY name").all() as { name: string }[]).map(
      (row) => row.name,
    );
  const onThisThread = (windowMs = 0) => {
    const commit = createSavepointCommitter(database);
    return createWriteBatcher<Operation, number>((operations) => commit(operations), { windowMs });
  };

  it("commits writes issued together in one transaction", async () => {
    const batcher = onThisThread();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => batcher.run(insert(`item-${n}`))),
    );
    expect(results).toEqual(Array.from({ length: 50 }, () => 1));
    expect(batcher.stats()).toEqual({ commits: 1, operations: 50 });
    expect(names()).toHaveLength(50);
  });

  it("rolls back only the operation that throws", async () => {
    const batcher = onThisThread();
    const first = batcher.run(insert("a"));
    const failing = batcher.run(() => {
      insert("b")();
      throw new Error("refused");
    });
    const third = batcher.run(insert("c"));
    await expect(failing).rejects.toThrow("refused");
    expect(await first).toBe(1);
    expect(await third).toBe(1);
    expect(names()).toEqual(["a", "c"]);
    expect(batcher.stats().commits).toBe(1);
  });

  it("rejects every operation of a batch whose commit fails", async () => {
    const batcher = onThisThread();
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
    // The batcher is not stuck after a failed commit.
    expect(await batcher.run(insert("z"))).toBe(1);
  });

  it("waits for a window when asked, and drain commits at once", async () => {
    const batcher = onThisThread(60_000);
    let resolved = false;
    const pending = batcher.run(insert("late")).then((changes) => {
      resolved = true;
      return changes;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // Not committed yet, so not resolved yet: a resolved write is always a durable one.
    expect(resolved).toBe(false);
    expect(names()).toEqual([]);
    await batcher.drain();
    expect(await pending).toBe(1);
    expect(names()).toEqual(["late"]);
  });
});

describe("createWriteBatcher with a commit in flight", () => {
  /** A commit the test finishes by hand, like a writer thread busy with its fsync. */
  const manualCommits = (concurrency?: number, handOverAtOnce?: boolean) => {
    const batches: { requests: string[]; finish: (outcomes: BatchOutcome<string>[]) => void }[] =
      [];
    const batcher = createWriteBatcher<string, string>(
      (requests) =>
        new Promise((finish) => {
          batches.push({ requests, finish });
        }),
      {
        windowMs: 0,
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(handOverAtOnce === undefined ? {} : { handOverAtOnce }),
      },
    );
    return { batcher, batches };
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it("keeps one commit in flight and groups what arrives meanwhile into the next", async () => {
    const { batcher, batches } = manualCommits();
    const first = batcher.run("a");
    await turn();
    expect(batches.map((batch) => batch.requests)).toEqual([["a"]]);
    const later = ["b", "c", "d"].map((request) => batcher.run(request));
    await turn();
    // Still one batch: b, c and d wait for a's commit instead of starting their own.
    expect(batches).toHaveLength(1);
    batches[0]!.finish([{ ok: true, value: "A" }]);
    expect(await first).toBe("A");
    await turn();
    await turn();
    expect(batches.map((batch) => batch.requests)).toEqual([["a"], ["b", "c", "d"]]);
    batches[1]!.finish([
      { ok: true, value: "B" },
      { ok: false, error: new Error("lost lease") },
      { ok: true, value: "D" },
    ]);
    const settled = await Promise.allSettled(later);
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(batcher.stats()).toEqual({ commits: 2, operations: 4 });
  });

  it.each([
    [true, "before"],
    [false, "after"],
  ])(
    "with handOverAtOnce %s, hands the next batch over %s the loop turn's promise jobs",
    async (atOnce) => {
      const { batcher, batches } = manualCommits(undefined, atOnce);
      const first = batcher.run("a");
      await turn();
      const later = ["b", "c"].map((request) => batcher.run(request));
      await turn();
      batches[0]!.finish([{ ok: true, value: "A" }]);
      // Promise jobs only, no new loop turn: the answer to `a` is out, and the next batch is
      // with the committer already when handed over at once, else only after this turn.
      for (let job = 0; job < 10; job++) await Promise.resolve();
      expect(await first).toBe("A");
      expect(batches).toHaveLength(atOnce ? 2 : 1);
      await turn();
      expect(batches.map((batch) => batch.requests)).toEqual([["a"], ["b", "c"]]);
      batches[1]!.finish([
        { ok: true, value: "B" },
        { ok: true, value: "C" },
      ]);
      expect(await Promise.all(later)).toEqual(["B", "C"]);
    },
  );

  it("never resolves a write before its commit reports, and drain waits for it", async () => {
    const { batcher, batches } = manualCommits();
    let resolved = false;
    const pending = batcher.run("a").then((value) => {
      resolved = true;
      return value;
    });
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    await turn();
    await turn();
    expect(resolved).toBe(false);
    expect(drained).toBe(false);
    batches[0]!.finish([{ ok: true, value: "A" }]);
    await draining;
    expect(await pending).toBe("A");
  });

  it("rejects a write whose outcome is missing instead of resolving it", async () => {
    const { batcher, batches } = manualCommits();
    const pending = [batcher.run("a"), batcher.run("b")];
    await turn();
    batches[0]!.finish([{ ok: true, value: "A" }]);
    const settled = await Promise.allSettled(pending);
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "rejected"]);
  });

  it("with concurrency 2 hands the next batch over while the first still commits", async () => {
    const { batcher, batches } = manualCommits(2);
    const first = batcher.run("a");
    await turn();
    const second = ["b", "c"].map((request) => batcher.run(request));
    await turn();
    expect(batches.map((batch) => batch.requests)).toEqual([["a"], ["b", "c"]]);
    // Two in flight: d and e wait for either to finish, then go together.
    const third = ["d", "e"].map((request) => batcher.run(request));
    await turn();
    expect(batches).toHaveLength(2);
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    // The second batch finishing first is fine: each settles only its own writes.
    batches[1]!.finish([
      { ok: true, value: "B" },
      { ok: true, value: "C" },
    ]);
    expect(await Promise.all(second)).toEqual(["B", "C"]);
    await turn();
    await turn();
    expect(batches.map((batch) => batch.requests)).toEqual([["a"], ["b", "c"], ["d", "e"]]);
    batches[2]!.finish([
      { ok: true, value: "D" },
      { ok: true, value: "E" },
    ]);
    expect(await Promise.all(third)).toEqual(["D", "E"]);
    await turn();
    expect(drained).toBe(false);
    batches[0]!.finish([{ ok: true, value: "A" }]);
    expect(await first).toBe("A");
    await draining;
    expect(batcher.stats()).toEqual({ commits: 3, operations: 5 });
  });

  it("refuses a concurrency that is not a positive integer", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN])
      expect(() => createWriteBatcher(() => [], { windowMs: 0, concurrency })).toThrow(
        /concurrency/,
      );
  });
});

describe("eachAloneOnFailure", () => {
  let folder: string;
  let database: Database.Database;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-alone-"));
    database = new Database(join(folder, "alone.db"));
    database.exec("CREATE TABLE items (name TEXT PRIMARY KEY CHECK (length(name) <= 5))");
  });
  afterEach(async () => {
    database.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** All names in one transaction: one refused name fails them all. */
  const insertAll = async (names: string[]): Promise<BatchOutcome<string>[]> =>
    database.transaction(() =>
      names.map((name) => {
        database.prepare("INSERT INTO items (name) VALUES (?)").run(name);
        return { ok: true as const, value: name };
      }),
    )();

  it("commits the others when one request fails the batch, and gives it its own error", async () => {
    const batcher = createWriteBatcher(eachAloneOnFailure(insertAll), { windowMs: 0 });
    const outcomes = await Promise.allSettled(
      ["ada", "much-too-long", "bob"].map((name) => batcher.run(name)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint/);
    const names = database.prepare("SELECT name FROM items ORDER BY name").pluck().all();
    expect(names).toEqual(["ada", "bob"]);
  });

  it("rethrows a lone request's error as the batch's", async () => {
    await expect(eachAloneOnFailure(insertAll)(["much-too-long"])).rejects.toThrow(/CHECK/);
  });
});
