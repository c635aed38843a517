import { afterEach, beforeEach, expect, it } from "vitest";
import {
  createManualClock,
  fakeSid,
  inboundMessage,
  type ManualClock,
} from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { replyIdFor } from "../reply-id.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  type CommitCuttingProxy,
  startCommitCuttingProxy,
} from "./test-support/commit-cutting-proxy.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

// A real proxy between the store and PostgreSQL cuts the connection exactly at a COMMIT:
// before the server gets it (rolled back) or after the server did it (the answer is lost).
describeWithPostgres("postgresMailbox when a commit is cut off", (url) => {
  const leaseMs = 10_000;
  let schema: string;
  let proxy: CommitCuttingProxy;
  let store: MailboxStore;
  let clock: ManualClock;

  beforeEach(async () => {
    schema = testSchemaName();
    const direct = new URL(url);
    proxy = await startCommitCuttingProxy({
      host: direct.hostname,
      port: Number(direct.port || 5432),
    });
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    clock = createManualClock();
    const opened = postgresMailbox({
      connectionString: proxied.toString(),
      schema,
      poolSize: 2,
      now: clock.now,
      settleWindowMs: 0,
    });
    await opened.start();
    store = opened;
  });
  afterEach(async () => {
    await store.close();
    await proxy.close();
    await dropTestSchema(url, schema);
  });

  const leaseOne = async () => {
    const conversationSid = fakeSid("CH");
    await store.ingest(inboundMessage({ conversationSid }));
    const [lease] = await store.claim("worker", 1, leaseMs);
    return lease!;
  };

  for (const point of ["before-commit", "after-commit"] as const) {
    it(`completes a turn exactly once when the commit is cut ${point}`, async () => {
      const lease = await leaseOne();
      proxy.cutNextCommit(point);
      const { replyIds } = await store.complete(lease, [{ body: "a" }, { body: "b" }]);
      expect(proxy.cuts()).toBe(1);
      expect(replyIds).toEqual([replyIdFor(lease.turnId, 0), replyIdFor(lease.turnId, 1)]);
      const history = await store.history(lease.conversationSid);
      expect(history.map((entry) => entry.body)).toEqual(["message 0", "a", "b"]);
      expect(history[0]).toMatchObject({ status: "done" });
      expect((await store.conversation(lease.conversationSid))?.state).toBe("idle");
    });

    it(`settles a sent reply once when the commit is cut ${point}`, async () => {
      const lease = await leaseOne();
      await store.complete(lease, [{ body: "a" }, { body: "b" }]);
      const [first] = await store.claimOutbox("sender", 5, leaseMs);
      const sentSid = fakeSid("IM");
      proxy.cutNextCommit(point);
      expect(await store.settleOutbox(first!, { sent: true, messageSid: sentSid, index: 1 })).toBe(
        true,
      );
      expect(proxy.cuts()).toBe(1);
      // Our echo is a duplicate (the settle's dedupe key), and the next reply is due.
      expect(
        await store.ingest(
          inboundMessage({
            conversationSid: lease.conversationSid,
            messageSid: sentSid,
            index: 1,
          }),
        ),
      ).toBe("duplicate");
      const [second] = await store.claimOutbox("sender", 5, leaseMs);
      expect(second).toMatchObject({ position: 1, body: "b" });
      const history = await store.history(lease.conversationSid);
      expect(history.map((entry) => [entry.body, entry.status])).toEqual([
        ["message 0", "done"],
        ["a", "sent"],
        ["b", "sending"],
      ]);
    });

    it(`records a failure once when the commit is cut ${point}`, async () => {
      const lease = await leaseOne();
      proxy.cutNextCommit(point);
      expect(await store.fail(lease, "agent down", clock.now() + 1_000)).toBe("backoff");
      expect(proxy.cuts()).toBe(1);
      expect(await store.conversation(lease.conversationSid)).toMatchObject({
        state: "backoff",
        attempts: 1,
        lastError: "agent down",
      });
    });

    it(`stores every message of a batch once when its commit is cut ${point}`, async () => {
      const conversationSid = fakeSid("CH");
      const messages = Array.from({ length: 5 }, (_, index) =>
        inboundMessage({ conversationSid, index }),
      );
      proxy.cutNextCommit(point);
      const results = await Promise.all(messages.map((message) => store.ingest(message)));
      expect(proxy.cuts()).toBe(1);
      // Before the commit: the retry writes them. After: the retry finds them, and answers
      // `duplicate` — either way the webhook may answer 200, and each is stored once.
      expect(results).toEqual(
        messages.map(() => (point === "before-commit" ? "accepted" : "duplicate")),
      );
      const history = await store.history(conversationSid);
      expect(history.map((entry) => entry.messageSid)).toEqual(messages.map((m) => m.messageSid));
    });
  }

  it("brings back a conversation leased by a claim whose answer was lost, as the next attempt", async () => {
    const conversationSid = fakeSid("CH");
    await store.ingest(inboundMessage({ conversationSid }));
    proxy.cutNextCommit("after-commit");
    // The retried claim finds the conversation leased by the first try, which nobody holds.
    expect(await store.claim("worker", 1, leaseMs)).toEqual([]);
    clock.advance(leaseMs);
    const [lease] = await store.claim("worker", 1, leaseMs);
    expect(lease).toMatchObject({ conversationSid, attempt: 2 });
  });

  it("says the outcome is unknown rather than guessing for an operator action", async () => {
    const conversationSid = fakeSid("CH");
    await store.ingest(inboundMessage({ conversationSid }));
    for (let attempt = 0; attempt < 5; attempt++) {
      const [lease] = await store.claim("worker", 1, leaseMs);
      if (lease === undefined) break;
      await store.fail(lease, "boom", clock.now());
    }
    expect((await store.deadLetters()).map((letter) => letter.conversationSid)).toEqual([
      conversationSid,
    ]);
    proxy.cutNextCommit("after-commit");
    await expect(store.retryDeadLetter(conversationSid)).rejects.toMatchObject({
      code: "mailbox_unavailable",
      isRetryable: true,
    });
    // It did happen; asking again is safe and says so.
    expect(await store.deadLetters()).toEqual([]);
    expect(await store.retryDeadLetter(conversationSid)).toBe(false);
  });
});
