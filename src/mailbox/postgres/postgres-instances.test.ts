import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore, WorkNotice } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

// Two stores on one schema stand for two processes: each has its own pool, LISTEN connection
// and group-commit queue, and they share only the database.
describeWithPostgres("postgresMailbox across instances", (connectionString) => {
  let schema: string;
  let stores: MailboxStore[] = [];
  const open = async () => {
    const store = postgresMailbox({
      connectionString,
      schema,
      poolSize: 4,
      settleWindowMs: 0,
    });
    stores.push(store);
    await store.start();
    return store;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    stores = [];
    await dropTestSchema(connectionString, schema);
  });

  it("never leases a conversation twice at once across instances; every turn in order", async () => {
    const [first, second] = [await open(), await open()];
    const conversations = Array.from({ length: 40 }, () => fakeSid("CH"));
    const messages = conversations.flatMap((conversationSid) =>
      Array.from({ length: 5 }, (_, index) => inboundMessage({ conversationSid, index })),
    );
    // Arrival order differs from index order, and half the messages reach each instance.
    messages.sort((a, b) => (a.messageSid.charCodeAt(33) % 5) - (b.messageSid.charCodeAt(33) % 5));
    const results = await Promise.all(
      messages.map((message, position) => (position % 2 === 0 ? first : second).ingest(message)),
    );
    expect(results.every((result) => result === "accepted")).toBe(true);

    const answered = new Map<string, number[]>();
    const running = new Map<string, string>();
    const overlaps: string[] = [];
    const turnsBy = new Map<MailboxStore, number>();
    const loop = async (store: MailboxStore, workerId: string) => {
      for (let idle = 0; idle < 5; ) {
        const leases = await store.claim(workerId, 3, 30_000);
        if (leases.length === 0) {
          idle += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        idle = 0;
        for (const lease of leases) {
          const holder = running.get(lease.conversationSid);
          if (holder !== undefined)
            overlaps.push(`${lease.conversationSid}: ${holder} and ${workerId}`);
          running.set(lease.conversationSid, workerId);
        }
        await Promise.all(
          leases.map(async (lease) => {
            await new Promise((resolve) => setImmediate(resolve));
            const list = answered.get(lease.conversationSid) ?? [];
            list.push(...lease.messages.map((message) => message.index));
            answered.set(lease.conversationSid, list);
            // Not running once its completion is sent: the other instance's one-round-trip
            // claim may take the next turn between that commit and this loop hearing of it.
            // Fencing covers the completion itself: had another loop leased the conversation
            // meanwhile, this complete would throw LeaseLostError and fail the test.
            running.delete(lease.conversationSid);
            await store.complete(lease, [{ body: `ok ${lease.messages[0]?.index}` }]);
            turnsBy.set(store, (turnsBy.get(store) ?? 0) + 1);
          }),
        );
      }
    };
    await Promise.all(
      [first, second].flatMap((store, instance) =>
        [0, 1, 2].map((loopNumber) => loop(store, `instance-${instance}-loop-${loopNumber}`)),
      ),
    );
    expect(overlaps).toEqual([]);
    expect(answered.size).toBe(conversations.length);
    for (const indexes of answered.values()) expect(indexes).toEqual([0, 1, 2, 3, 4]);
    // Both instances answered turns, so exclusion really was tested across them.
    expect(turnsBy.get(first)).toBeGreaterThan(0);
    expect(turnsBy.get(second)).toBeGreaterThan(0);
    const outbox = await first.claimOutbox("sender", 1_000, 30_000);
    expect(outbox).toHaveLength(conversations.length);
    expect(outbox.every((item) => item.body === "ok 0")).toBe(true);
  });

  it("accepts exactly one of concurrent copies sent to different instances", async () => {
    const [first, second] = [await open(), await open()];
    const message = inboundMessage({ conversationSid: fakeSid("CH"), idempotencyToken: "copy" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, copy) =>
        (copy % 2 === 0 ? first : second).ingest(
          copy % 3 === 0 ? message : { ...message, messageSid: fakeSid("IM") },
        ),
      ),
    );
    expect(results.filter((result) => result === "accepted")).toHaveLength(1);
    expect(await second.history(message.conversationSid)).toHaveLength(1);
  });

  it("wakes onWork listeners of every instance (NOTIFY), once per commit", async () => {
    const [first, second] = [await open(), await open()];
    const seenBySecond: WorkNotice[] = [];
    const seenByFirst: WorkNotice[] = [];
    second.onWork((notice) => seenBySecond.push(notice));
    first.onWork((notice) => seenByFirst.push(notice));
    const conversationSid = fakeSid("CH");
    await first.ingest(inboundMessage({ conversationSid }));
    // The notice travels through the server; wait for it rather than for a fixed time.
    await until(() => seenBySecond.length > 0);
    expect(seenBySecond).toEqual([{ kind: "turn", conversationSid }]);
    // The writer announced its own commit locally, and ignores its NOTIFY echo.
    expect(seenByFirst).toEqual([{ kind: "turn", conversationSid }]);

    const [lease] = await second.claim("worker", 1, 30_000);
    await second.complete(lease!, [{ body: "hello" }]);
    await until(() => seenByFirst.some((notice) => notice.kind === "outbox"));
    expect(seenByFirst).toContainEqual({ kind: "outbox", conversationSid });
  });
});
