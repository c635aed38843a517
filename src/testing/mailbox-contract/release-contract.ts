import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, maxAttempts } = contractSettings;

/** The mailbox contract: giving a turn back at shutdown, and burst turns that never skip. */
export function describeReleaseContract(use: UseContract): void {
  describe("release and burst order", () => {
    it("releases a turn uncounted: claimable at once with the same attempt number", async () => {
      const { store, clock } = use();
      const message = inboundMessage({ conversationSid: fakeSid("CH") });
      await store.ingest(message);
      const [first] = await store.claim("worker-a", 1, leaseMs);
      expect(await store.fail(first!, "boom", clock.now() + 1_000)).toBe("backoff");
      clock.advance(1_000);
      const [second] = await store.claim("worker-a", 1, leaseMs);
      expect(second?.attempt).toBe(2);

      expect(await store.release(second!)).toBe(true);
      const [again] = await store.claim("worker-b", 1, leaseMs);
      expect(again).toMatchObject({ turnId: second!.turnId, attempt: 2 });
      expect((await store.conversation(message.conversationSid))?.attempts).toBe(2);
      // The released lease is fenced out like a lost one.
      expect(await store.release(second!)).toBe(false);
      expect(await store.heartbeat(second!)).toBe(false);
      await expect(store.complete(second!, [textReply("stale")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      expect(await store.heartbeat(again!)).toBe(true);
    });

    it("never dead-letters a turn released during its last attempt", async () => {
      const { store, clock } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      for (let attempt = 1; attempt < maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        expect(await store.fail(lease!, "boom", clock.now())).toBe("backoff");
      }
      // Deploys keep interrupting the last attempt: each release gives it back.
      for (let deploy = 0; deploy < maxAttempts + 2; deploy++) {
        const [lease] = await store.claim(`worker-${deploy}`, 1, leaseMs);
        expect(lease?.attempt).toBe(maxAttempts);
        expect(await store.release(lease!)).toBe(true);
      }
      expect(await store.deadLetters()).toEqual([]);
      const [last] = await store.claim("worker-z", 1, leaseMs);
      expect(last?.attempt).toBe(maxAttempts);
      await store.complete(last!, [textReply("done at last")]);
      expect((await store.claimOutbox("sender", 10, leaseMs)).map((item) => item.body)).toEqual([
        "done at last",
      ]);
    });

    it("ignores a forged or unknown lease in release", async () => {
      const { store } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(await store.release({ ...lease!, leaseVersion: lease!.leaseVersion + 1 })).toBe(false);
      expect(await store.release({ ...lease!, workerId: "someone-else" })).toBe(false);
      expect(await store.release({ ...lease!, conversationSid: fakeSid("CH") })).toBe(false);
      expect(await store.heartbeat(lease!)).toBe(true);
    });

    it("never skips a pending lower index in a burst turn, even one ingested after the window", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "burst", windowMs: 1_000 });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      clock.advance(300);
      // Index 1 is delayed by Twilio; 2 arrives inside the window.
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      clock.advance(700);
      const [first] = await store.claim("worker-a", 1, leaseMs);
      expect(first?.messages.map((message) => message.index)).toEqual([0, 2]);
      expect(await store.fail(first!, "model timeout", clock.now() + 500)).toBe("backoff");
      clock.advance(100);
      // Index 1 arrives after the window: the retry must not answer 2 before it.
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      clock.advance(400);
      const [retry] = await store.claim("worker-a", 1, leaseMs);
      expect(retry?.messages.map((message) => message.index)).toEqual([0]);
      await store.complete(retry!, [textReply("zero")]);
      clock.advance(1_000);
      const [next] = await store.claim("worker-a", 1, leaseMs);
      expect(next?.messages.map((message) => [message.index, message.late])).toEqual([
        [1, false],
        [2, false],
      ]);
      await store.complete(next!, [textReply("one and two")]);
      expect(await answerOnce(store)).toEqual([]);
    });
  });
}
