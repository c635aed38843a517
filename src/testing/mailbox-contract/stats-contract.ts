import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage } from "./contract-fixtures.js";

const { maxAttempts, leaseMs } = contractSettings;

/** The mailbox contract: `stats()`, the one aggregate a metrics scrape reads. */
export function describeStatsContract(use: UseContract): void {
  describe("stats", () => {
    it("counts pending customer messages and dead letters over every conversation", async () => {
      const { store, clock } = use();
      expect(await store.stats()).toEqual({ pendingMessages: 0, deadLetters: 0 });
      const waiting = fakeSid("CH");
      const answered = fakeSid("CH");
      const dying = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: answered, index: 0 }));
      await answerOnce(store);
      await store.ingest(inboundMessage({ conversationSid: dying, index: 0 }));
      expect(await store.stats()).toEqual({ pendingMessages: 1, deadLetters: 0 });
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        await store.fail(lease!, "boom", clock.now());
      }
      await store.ingest(inboundMessage({ conversationSid: waiting, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid: waiting, index: 1 }));
      const stats = await store.stats();
      expect(stats.deadLetters).toBe(1);
      expect(stats.deadLetters).toBe((await store.deadLetters()).length);
      let pending = 0;
      for (const sid of await store.knownConversations())
        pending += (await store.conversation(sid))?.pendingCount ?? 0;
      expect(stats.pendingMessages).toBe(pending);
    });
  });
}
