import { describe, expect, it } from "vitest";
import type { MailboxStore } from "../../mailbox/mailbox-store.js";
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

    it("holds a message while a lower index is missing, even right after our sent reply", async () => {
      const { store, clock } = use();
      const conversationSid = await answeredUpToOneWithReplyAtFour(store);
      // The customer's 2 and 3 are still in flight when their 5 lands after our reply at 4.
      await store.ingest(inboundMessage({ conversationSid, index: 5 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(settleWindowMs - 1);
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      const turns: [number, boolean][][] = [];
      for (let turn = 0; turn < 3; turn++) {
        const [lease, ...others] = await store.claim("worker-a", 10, leaseMs);
        expect(others).toEqual([]);
        turns.push(lease!.messages.map((message) => [message.index, message.late]));
        await store.complete(lease!, [textReply("ok")]);
      }
      expect(turns).toEqual([[[2, false]], [[3, false]], [[5, false]]]);
    });

    it("applies the settle rule to each conversation of one claim on its own", async () => {
      // One claim covers several conversations at once (PostgreSQL checks them in one batch):
      // each one's gap is counted against its own records.
      const { store } = use();
      const held = fakeSid("CH");
      const recorded = fakeSid("CH");
      const heldFurther = fakeSid("CH");
      const fresh = fakeSid("CH");
      for (const conversationSid of [held, recorded, heldFurther])
        await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      expect(await answerOnce(store)).toEqual([[0], [0], [0]]);
      await store.ingest(inboundMessage({ conversationSid: held, index: 2 }));
      await store.ingest(inboundMessage({ conversationSid: recorded, index: 1, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid: recorded, index: 2 }));
      await store.ingest(inboundMessage({ conversationSid: heldFurther, index: 1, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid: heldFurther, index: 3 }));
      await store.ingest(inboundMessage({ conversationSid: fresh, index: 0 }));
      const leases = await store.claim("worker-a", 10, leaseMs);
      expect(
        new Map(
          leases.map((lease) => [
            lease.conversationSid,
            lease.messages.map((message) => message.index),
          ]),
        ),
      ).toEqual(
        new Map([
          [recorded, [2]],
          [fresh, [0]],
        ]),
      );
    });

    it("hands out a message after a real skip in the indexes once the settle window passes", async () => {
      const { store, clock } = use();
      const conversationSid = await answeredUpToOneWithReplyAtFour(store);
      await store.ingest(inboundMessage({ conversationSid, index: 5 }));
      clock.advance(settleWindowMs - 1);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      clock.advance(1);
      const [lease] = await store.claim("worker-a", 10, leaseMs);
      expect(lease?.messages.map((message) => [message.index, message.late])).toEqual([[5, false]]);
    });

    it("counts an index recorded twice (a message and a sent reply) once", async () => {
      const { store } = use();
      const conversationSid = await answeredUpToOneWithReplyAtFour(store);
      // A stray record at our reply's index must not stand in for the missing 2.
      await store.ingest(inboundMessage({ conversationSid, index: 4, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid, index: 3, role: "human" }));
      await store.ingest(inboundMessage({ conversationSid, index: 5 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      await store.ingest(inboundMessage({ conversationSid, index: 2, role: "bot" }));
      expect(await answerOnce(store)).toEqual([[5]]);
    });

    it("stops a burst turn before a message with a missing lower index", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "burst", windowMs: 1_000 });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      clock.advance(900);
      await store.ingest(inboundMessage({ conversationSid, index: 1, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      await store.ingest(inboundMessage({ conversationSid, index: 4, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid, index: 5 }));
      clock.advance(100);
      // 2 follows the turn's 0 with only recorded indexes between; 5 waits for 3.
      expect(await answerOnce(store)).toEqual([[0, 2]]);
      clock.advance(900);
      expect(await answerOnce(store)).toEqual([[5]]);
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

/**
 * A conversation whose customer messages 0 and 1 are answered and whose last reply went out
 * at index 4 (the first reply's index unknown): the customer's 2 and 3 may still be in flight.
 */
async function answeredUpToOneWithReplyAtFour(store: MailboxStore): Promise<string> {
  const conversationSid = fakeSid("CH");
  for (const index of [0, 1]) {
    await store.ingest(inboundMessage({ conversationSid, index }));
    expect(await answerOnce(store)).toEqual([[index]]);
  }
  const [first] = await store.claimOutbox("sender", 1, leaseMs);
  await store.settleOutbox(first!, { sent: true, messageSid: fakeSid("IM") });
  const [second] = await store.claimOutbox("sender", 1, leaseMs);
  await store.settleOutbox(second!, { sent: true, messageSid: fakeSid("IM"), index: 4 });
  return conversationSid;
}
