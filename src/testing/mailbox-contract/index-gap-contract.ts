import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/**
 * The mailbox contract: `indexGap` counts what the settle rule counts — stored messages of
 * any role and our sent replies' indexes, each index once — and the replies being sent, so
 * the runtime can see an `Index` gap below a webhook's message (and list the conversation).
 */
export function describeIndexGapContract(use: UseContract): void {
  describe("recorded indexes between two (Index gaps)", () => {
    it("counts stored messages of any role and sent replies' indexes, each index once", async () => {
      const { store } = use();
      if (store.indexGap === undefined) return;
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("hi")]);
      // Our reply: settled with index 1, and its echo stored at the same index.
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      const replySid = fakeSid("IM");
      await store.settleOutbox(item!, { sent: true, messageSid: replySid, index: 1 });
      await store.ingest(
        inboundMessage({ conversationSid, index: 1, messageSid: replySid, role: "bot" }),
      );
      // Index 2 never arrived; 3 is an operator's message, 5 the customer's.
      await store.ingest(inboundMessage({ conversationSid, index: 3, role: "human" }));
      await store.ingest(inboundMessage({ conversationSid, index: 5 }));

      const none = { recorded: 0, sending: 0 };
      expect(await store.indexGap(conversationSid, 0, 2)).toEqual({ recorded: 1, sending: 0 });
      expect(await store.indexGap(conversationSid, 0, 5)).toEqual({ recorded: 2, sending: 0 });
      expect(await store.indexGap(conversationSid, -1, 6)).toEqual({ recorded: 4, sending: 0 });
      expect(await store.indexGap(conversationSid, 3, 4)).toEqual(none);
      // Nothing of another conversation counts; an unknown one has nothing.
      expect(await store.indexGap(fakeSid("CH"), -1, 100)).toEqual(none);
    });

    it("counts the conversation's replies being sent (claimed, not settled)", async () => {
      const { store } = use();
      if (store.indexGap === undefined) return;
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("one"), textReply("two")]);
      // Completed, not claimed: nothing is at Twilio yet.
      expect(await store.indexGap(conversationSid, 0, 3)).toEqual({ recorded: 0, sending: 0 });
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      expect(await store.indexGap(conversationSid, 0, 3)).toEqual({ recorded: 0, sending: 1 });
      await store.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM"), index: 1 });
      expect(await store.indexGap(conversationSid, 0, 3)).toEqual({ recorded: 1, sending: 0 });
    });

    it("refuses a malformed range without reading", async () => {
      const { store } = use();
      if (store.indexGap === undefined) return;
      const conversationSid = fakeSid("CH");
      for (const [above, below] of [
        [3, 3],
        [4, 2],
        [-2, 1],
        [0.5, 2],
        [0, Number.NaN],
        [0, Number.POSITIVE_INFINITY],
      ] as const)
        await expect(store.indexGap(conversationSid, above, below)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      await expect(store.indexGap("", 0, 2)).rejects.toBeInstanceOf(MailboxInputError);
      await expect(store.indexGap("x".repeat(300), 0, 2)).rejects.toBeInstanceOf(MailboxInputError);
    });
  });
}
