import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { settleWindowMs, leaseMs } = contractSettings;

/** The mailbox contract: order and the settle window. */
export function describeOrderContract(use: UseContract): void {
  describe("order and the settle window", () => {
    it("hands out turns in Index order, not arrival order, one at a time", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      for (const index of [2, 0, 3, 1])
        await store.ingest(inboundMessage({ conversationSid, index }));
      const seen: number[][] = [];
      for (let turn = 0; turn < 4; turn++) {
        const [lease, ...others] = await store.claim("worker-a", 10, leaseMs);
        expect(others).toEqual([]);
        expect(await store.claim("worker-b", 10, leaseMs)).toEqual([]);
        seen.push(lease!.messages.map((message) => message.index));
        await store.complete(lease!, [textReply("ok")]);
      }
      expect(seen).toEqual([[0], [1], [2], [3]]);
    });

    it("holds a message after a gap for the settle window, then hands it out", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      expect(await answerOnce(store)).toEqual([[0]]);
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(settleWindowMs - 1);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(1);
      // Twilio indexes may skip numbers: after the window, the gap is accepted.
      expect(await answerOnce(store)).toEqual([[2]]);
    });

    it("delivers a lower index that arrives within the settle window first", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      expect(await answerOnce(store)).toEqual([[0]]);
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      clock.advance(settleWindowMs / 2);
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      expect(await answerOnce(store)).toEqual([[1]]);
      expect(await answerOnce(store)).toEqual([[2]]);
    });

    it("waits for the settle window when a conversation's first message is not index 0", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 4 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(settleWindowMs);
      expect(await answerOnce(store)).toEqual([[4]]);
    });

    it("does not wait when the previous index is recorded, whatever its role", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await answerOnce(store);
      await store.ingest(inboundMessage({ conversationSid, index: 1, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      expect(await answerOnce(store)).toEqual([[2]]);
    });

    it("still delivers a message that arrives after a higher index was answered, marked late", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await answerOnce(store);
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      clock.advance(settleWindowMs);
      expect(await answerOnce(store)).toEqual([[3]]);
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      const [lease] = await store.claim("worker-a", 10, leaseMs);
      expect(lease?.messages.map((message) => [message.index, message.late])).toEqual([[2, true]]);
    });

    it("answers a burst of messages in one turn with the burst policy", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "burst", windowMs: 1_000 });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      clock.advance(300);
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      clock.advance(300);
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(400);
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      const [lease] = await store.claim("worker-a", 10, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual([0, 1, 2]);
      expect((await store.conversation(conversationSid))?.policy).toEqual({
        mode: "burst",
        windowMs: 1_000,
      });
      await store.complete(lease!, [textReply("all three")]);
      clock.advance(1_000);
      expect(await answerOnce(store)).toEqual([[3]]);
    });

    it("rejects an invalid policy", async () => {
      const { store } = use();
      await expect(
        store.setPolicy(fakeSid("CH"), { mode: "burst", windowMs: -1 }),
      ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      await expect(store.setPolicy(fakeSid("CH"), { mode: "lifo" } as never)).rejects.toMatchObject(
        { code: "invalid_mailbox_input" },
      );
    });
  });
}
