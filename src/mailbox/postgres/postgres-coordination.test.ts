import { afterEach, beforeEach, expect, it } from "vitest";
import { MailboxInputError } from "../mailbox-errors.js";
import { type MailboxStore, maxPublishBytes } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

/** A promise with its resolver, to hold a lock holder inside its work. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

// Two stores on one schema stand for two instances of switchboard.
describeWithPostgres("postgresMailbox coordination: withLock, publish, subscribe", (url) => {
  let schema: string;
  let stores: MailboxStore[] = [];
  const open = async () => {
    const store = postgresMailbox({ connectionString: url, schema, poolSize: 3 });
    await store.start();
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    stores = [];
    await dropTestSchema(url, schema);
  });

  it("lets one instance at a time hold a named lock", async () => {
    const [first, second] = [await open(), await open()];
    const held = gate();
    const entered = gate();
    const running = first.withLock!("catch-up", async () => {
      entered.open();
      await held.opened;
      return "first ran";
    });
    await entered.opened;
    let secondRan = false;
    const refused = await second.withLock!("catch-up", async () => {
      secondRan = true;
    });
    expect(refused).toEqual({ acquired: false });
    expect(secondRan).toBe(false);
    // The same instance is refused too: the lock is per holder, not per process.
    expect(await first.withLock!("catch-up", async () => "again")).toEqual({ acquired: false });
    // Another name is independent.
    expect(await second.withLock!("other-job", async () => 7)).toEqual({
      acquired: true,
      value: 7,
    });
    held.open();
    expect(await running).toEqual({ acquired: true, value: "first ran" });
    expect(await second.withLock!("catch-up", async () => "second ran")).toEqual({
      acquired: true,
      value: "second ran",
    });
  });

  it("releases the lock when the work throws, and when the holder's connection dies", async () => {
    const [first, second] = [await open(), await open()];
    await expect(
      first.withLock!("catch-up", async () => {
        throw new Error("catch-up broke");
      }),
    ).rejects.toThrow("catch-up broke");
    expect((await second.withLock!("catch-up", async () => 1)).acquired).toBe(true);

    const held = gate();
    const entered = gate();
    const running = first.withLock!("catch-up", async () => {
      entered.open();
      await held.opened;
    });
    await entered.opened;
    // The server ends the holder's session (a crash of that instance looks the same).
    // Only the backend holding this schema's lock: other suites share the server.
    const terminated = await adminQuery(
      url,
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [`switchboard:${schema}:lock:catch-up`],
    );
    expect(terminated.rows[0]?.n).toBe(1);
    let acquired = false;
    for (let tries = 0; tries < 100 && !acquired; tries++) {
      acquired = (await second.withLock!("catch-up", async () => true)).acquired;
      if (!acquired) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(acquired).toBe(true);
    held.open();
    // The holder finishes its work; the unlock fails on the dead connection and is dropped.
    await expect(running).resolves.toEqual({ acquired: true, value: undefined });
  });

  it("delivers publications to subscribers in every instance, once, in order", async () => {
    const [first, second] = [await open(), await open()];
    const seen = { first: [] as string[], second: [] as string[], other: [] as string[] };
    first.subscribe!("live", (payload) => seen.first.push(payload));
    const unsubscribe = second.subscribe!("live", (payload) => seen.second.push(payload));
    second.subscribe!("other", (payload) => seen.other.push(payload));

    const sent = Array.from({ length: 30 }, (_, n) => JSON.stringify({ n }));
    for (const payload of sent.slice(0, 20)) await first.publish!("live", payload);
    for (const payload of sent.slice(20)) await second.publish!("live", payload);
    await until(() => seen.first.length >= 30 && seen.second.length >= 30);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Each instance's publications arrive in the order they were published; between two
    // publishers, an instance may see its own (delivered locally) before the other's.
    const fromFirst = sent.slice(0, 20);
    const fromSecond = sent.slice(20);
    for (const received of [seen.first, seen.second]) {
      expect([...received].sort()).toEqual([...sent].sort());
      expect(received.filter((payload) => fromFirst.includes(payload))).toEqual(fromFirst);
      expect(received.filter((payload) => fromSecond.includes(payload))).toEqual(fromSecond);
    }
    expect(seen.other).toEqual([]);

    unsubscribe();
    await first.publish!("live", "after unsubscribe");
    await until(() => seen.first.length === 31);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.second).toHaveLength(30);
  });

  it("rejects malformed and oversized publications and ignores forged notifications", async () => {
    const [first, second] = [await open(), await open()];
    const seen: string[] = [];
    second.subscribe!("live", (payload) => seen.push(payload));
    for (const channel of ["", "has space", "x".repeat(101), 42])
      await expect(first.publish!(channel as string, "x")).rejects.toBeInstanceOf(
        MailboxInputError,
      );
    await expect(first.publish!("live", "x".repeat(maxPublishBytes + 1))).rejects.toBeInstanceOf(
      MailboxInputError,
    );
    await expect(first.publish!("live", "nul\u0000")).rejects.toBeInstanceOf(MailboxInputError);
    expect(() => second.subscribe!("bad channel", () => {})).toThrow(MailboxInputError);
    await expect(first.withLock!("", async () => 1)).rejects.toBeInstanceOf(MailboxInputError);

    // Garbage on the events channel (not JSON, wrong shape) is dropped; the listener survives.
    const channel = `switchboard_events_${schema}`;
    for (const garbage of ["not json", "[]", JSON.stringify({ channel: "live", payload: 5 })])
      await adminQuery(url, "SELECT pg_notify($1, $2)", [channel, garbage]);
    // A subscriber that throws does not stop delivery to the next one.
    second.subscribe!("live", () => {
      throw new Error("subscriber bug");
    });
    await first.publish!("live", "still delivered");
    await until(() => seen.length === 1);
    expect(seen).toEqual(["still delivered"]);
  });
});
