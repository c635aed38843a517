import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

const { settleWindowMs, maxAttempts, leaseMs } = contractSettings;

/** The mailbox contract: failures, backoff and dead letters. */
export function describeFailureContract(use: UseContract): void {
  describe("failures, backoff and dead letters", () => {
    it("keeps a failing conversation blocked until retryAt while others go on", async () => {
      const { store, clock } = use();
      const failing = fakeSid("CH");
      const healthy = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: failing, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid: failing, index: 1 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.conversationSid).toBe(failing);
      expect(await store.fail(lease!, "agent timed out", clock.now() + 5_000)).toBe("backoff");
      expect(await store.conversation(failing)).toMatchObject({
        state: "backoff",
        lastError: "agent timed out",
        pendingCount: 2,
      });

      await store.ingest(inboundMessage({ conversationSid: healthy, index: 0 }));
      const leases = await store.claim("worker-a", 10, leaseMs);
      expect(leases.map((item) => item.conversationSid)).toEqual([healthy]);
      await store.complete(leases[0]!, []);

      clock.advance(4_999);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(1);
      const [retry] = await store.claim("worker-a", 10, leaseMs);
      expect(retry?.messages.map((message) => message.index)).toEqual([0]);
      expect(retry?.attempt).toBe(2);
    });

    it("dead-letters after maxAttempts; retry runs the turn again", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        expect(lease?.attempt).toBe(attempt);
        outcomes.push(await store.fail(lease!, `boom ${attempt}`, clock.now()));
      }
      expect(outcomes).toEqual(["backoff", "backoff", "dead"]);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      const [letter, ...others] = await store.deadLetters();
      expect(others).toEqual([]);
      expect(letter).toMatchObject({ conversationSid, reason: "boom 3", attempts: maxAttempts });
      expect(letter?.messageSids).toHaveLength(1);

      expect(await store.retryDeadLetter(fakeSid("CH"))).toBe(false);
      expect(await store.retryDeadLetter(conversationSid)).toBe(true);
      expect(await store.deadLetters()).toEqual([]);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.attempt).toBe(1);
      expect(lease?.messages[0]?.messageSid).toBe(letter?.messageSids[0]);
    });

    it("lists dead letters oldest first, at most a limit of them when asked", async () => {
      const { store, clock } = use();
      const sids = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      for (const conversationSid of sids) {
        await store.ingest(inboundMessage({ conversationSid, index: 0 }));
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          const [lease] = await store.claim("worker-a", 1, leaseMs);
          await store.fail(lease!, "model down", clock.now());
        }
        clock.advance(1_000);
      }
      const listed = async (options?: { limit?: number }) =>
        (await store.deadLetters(options)).map((letter) => letter.conversationSid);
      expect(await listed()).toEqual(sids);
      expect(await listed({})).toEqual(sids);
      expect(await listed({ limit: 2 })).toEqual(sids.slice(0, 2));
      expect(await listed({ limit: 10_000 })).toEqual(sids);
      for (const options of [{ limit: 0 }, { limit: 10_001 }, { limit: 1.5 }, { limit: "2" }])
        await expect(store.deadLetters(options as { limit: number })).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      await expect(store.deadLetters(null as unknown as { limit: number })).rejects.toBeInstanceOf(
        MailboxInputError,
      );
    });

    it("keeps a dead letter's messages, and those arriving while it is dead, for after a retry", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      const other = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0, body: "first" }));
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        await store.fail(lease!, "model down", clock.now());
      }
      // The customer writes again while it is dead: stored, owed, not claimed.
      await store.ingest(inboundMessage({ conversationSid, index: 1, body: "hello??" }));
      await store.ingest(inboundMessage({ conversationSid: other, index: 0, body: "hi" }));
      clock.advance(settleWindowMs);
      expect(await store.conversation(conversationSid)).toMatchObject({
        state: "dead",
        pendingCount: 2,
      });
      expect((await store.stats()).pendingMessages).toBe(3);
      const leases = await store.claim("worker-a", 10, leaseMs);
      expect(leases.map((lease) => lease.conversationSid)).toEqual([other]);
      await store.complete(leases[0]!, []);

      expect(await store.retryDeadLetter(conversationSid)).toBe(true);
      const [retried] = await store.claim("worker-a", 10, leaseMs);
      expect(retried?.conversationSid).toBe(conversationSid);
      expect(retried?.messages.map((message) => message.body)).toEqual(["first"]);
      await store.complete(retried!, []);
      const [next] = await store.claim("worker-a", 10, leaseMs);
      expect(next?.messages.map((message) => message.body)).toEqual(["hello??"]);
    });

    it("skips a dead letter's message and lets the conversation go on", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0, body: "poison" }));
      await store.ingest(inboundMessage({ conversationSid, index: 1, body: "fine" }));
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        await store.fail(lease!, "cannot answer", clock.now());
      }
      expect(await store.skipDeadLetter(conversationSid)).toBe(true);
      expect(await store.skipDeadLetter(conversationSid)).toBe(false);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.body)).toEqual(["fine"]);
      const history = await store.history(conversationSid);
      expect(history[0]).toMatchObject({ direction: "inbound", status: "skipped" });
    });

    it("restarts the attempt count when a late lower index changes the turn", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      clock.advance(settleWindowMs);
      for (let attempt = 1; attempt < maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        expect(lease?.attempt).toBe(attempt);
        await store.fail(lease!, "flaky", clock.now());
      }
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      clock.advance(settleWindowMs);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual([1]);
      expect(lease?.attempt).toBe(1);
      expect(await store.fail(lease!, "flaky", clock.now())).toBe("backoff");
    });

    it("dead-letters a turn whose lease keeps expiring (a crashing worker)", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid }));
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const leases = await store.claim("worker-a", 1, leaseMs);
        expect(leases).toHaveLength(1);
        clock.advance(leaseMs);
      }
      expect(await store.claim("worker-a", 1, leaseMs)).toEqual([]);
      const [letter] = await store.deadLetters();
      expect(letter?.conversationSid).toBe(conversationSid);
      expect(letter?.reason).toMatch(/expired/);
    });
  });
}
