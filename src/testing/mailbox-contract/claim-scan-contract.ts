import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { settleWindowMs, leaseMs } = contractSettings;

/**
 * The mailbox contract: which conversations one claim takes. PostgreSQL claims in one
 * function that walks the waiting messages oldest first and stops at `max`; SQLite reads its
 * candidates and applies `core/turn-rules.ts`. These cases hold both to the same answers where
 * the walk could differ: conversations passed over, the stop at `max`, a turn's cap.
 */
export function describeClaimScanContract(use: UseContract): void {
  describe("what one claim takes", () => {
    it("passes over turns that are not due and leases the next waiting ones, oldest first, up to max", async () => {
      const { store, clock } = use();
      // Oldest first: a message after a gap (settle window), a burst not yet due, a live lease
      // with a newer message behind it, then three conversations ready at once.
      const gap = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: gap, index: 1 }));
      clock.advance(1);
      const burst = fakeSid("CH");
      await store.setPolicy(burst, { mode: "burst", windowMs: 1_000 });
      await store.ingest(inboundMessage({ conversationSid: burst, index: 0 }));
      clock.advance(1);
      const busy = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: busy, index: 0 }));
      const [running] = await store.claim("worker-x", 1, leaseMs);
      expect(running?.conversationSid).toBe(busy);
      await store.ingest(inboundMessage({ conversationSid: busy, index: 1 }));
      const ready: string[] = [];
      for (let n = 0; n < 3; n++) {
        clock.advance(1);
        const sid = fakeSid("CH");
        ready.push(sid);
        await store.ingest(inboundMessage({ conversationSid: sid, index: 0 }));
      }

      const first = await store.claim("worker-a", 2, leaseMs);
      expect(first.map((lease) => lease.conversationSid)).toEqual(ready.slice(0, 2));
      const second = await store.claim("worker-a", 5, leaseMs);
      expect(second.map((lease) => lease.conversationSid)).toEqual(ready.slice(2));
      expect(await store.claim("worker-a", 5, leaseMs)).toEqual([]);

      // The gap's settle window ends first; the burst's window later.
      clock.advance(settleWindowMs);
      const settled = await store.claim("worker-a", 5, leaseMs);
      expect(settled.map((lease) => lease.conversationSid)).toEqual([gap]);
      clock.advance(1_000);
      const due = await store.claim("worker-a", 5, leaseMs);
      expect(due.map((lease) => lease.conversationSid)).toEqual([burst]);

      // The busy conversation's next turn waits for the running one, then goes.
      await store.complete(running!, [textReply("ok")]);
      const [next, ...none] = await store.claim("worker-a", 5, leaseMs);
      expect(none).toEqual([]);
      expect(next?.conversationSid).toBe(busy);
      expect(next?.messages.map((message) => message.index)).toEqual([1]);
    });

    it("caps one turn at 100 messages and reports every pending message", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      for (let index = 0; index < 102; index++)
        await store.ingest(inboundMessage({ conversationSid, index }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual(
        Array.from({ length: 100 }, (_, index) => index),
      );
      expect(lease?.conversation.pendingCount).toBe(102);
      await store.complete(lease!, [textReply("ok")]);
      const [rest] = await store.claim("worker-a", 1, leaseMs);
      expect(rest?.messages.map((message) => message.index)).toEqual([100, 101]);
      expect(rest?.conversation.pendingCount).toBe(2);
    });

    it("sends each conversation's oldest open reply only, once due, while other conversations go on", async () => {
      const { store, clock } = use();
      const waiting = fakeSid("CH");
      const other = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: waiting, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid: other, index: 0 }));
      for (const lease of await store.claim("worker-a", 2, leaseMs)) {
        const replies = lease.conversationSid === waiting ? [textReply("w1"), textReply("w2")] : [];
        await store.complete(lease, replies);
      }
      const [head] = await store.claimOutbox("sender", 10, leaseMs);
      expect(head?.body).toBe("w1");
      expect(await store.settleOutbox(head!, { retryAt: clock.now() + 500, error: "429" })).toBe(
        true,
      );
      // The head waits for its retry; the reply behind it waits for the head.
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      await store.ingest(inboundMessage({ conversationSid: other, index: 1 }));
      const [otherLease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(otherLease!, [textReply("o1")]);
      const claimed = await store.claimOutbox("sender", 10, leaseMs);
      expect(claimed.map((item) => item.body)).toEqual(["o1"]);
      clock.advance(500);
      const [retried, ...rest] = await store.claimOutbox("sender", 10, leaseMs);
      expect(rest).toEqual([]);
      expect(retried?.body).toBe("w1");
      expect(await store.settleOutbox(retried!, { sent: true, messageSid: fakeSid("IM") })).toBe(
        true,
      );
      const [behind] = await store.claimOutbox("sender", 10, leaseMs);
      expect(behind?.body).toBe("w2");
    });
  });
}
