import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/**
 * The mailbox contract: `recordedBetween` counts what the settle rule counts — stored
 * messages of any role and our sent replies' indexes, each index once — so the runtime can
 * see an `Index` gap below a webhook's message (and list the conversation at once).
 */
export function describeRecordedBetweenContract(use: UseContract): void {
  describe("recorded indexes between two (Index gaps)", () => {
    it("counts stored messages of any role and sent replies' indexes, each index once", async () => {
      const { store } = use();
      if (store.recordedBetween === undefined) return;
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

      expect(await store.recordedBetween(conversationSid, 0, 2)).toBe(1);
      expect(await store.recordedBetween(conversationSid, 0, 5)).toBe(2);
      expect(await store.recordedBetween(conversationSid, -1, 6)).toBe(4);
      expect(await store.recordedBetween(conversationSid, 3, 4)).toBe(0);
      // Nothing of another conversation counts; an unknown one has nothing.
      expect(await store.recordedBetween(fakeSid("CH"), -1, 100)).toBe(0);
    });

    it("refuses a malformed range without reading", async () => {
      const { store } = use();
      if (store.recordedBetween === undefined) return;
      const conversationSid = fakeSid("CH");
      for (const [above, below] of [
        [3, 3],
        [4, 2],
        [-2, 1],
        [0.5, 2],
        [0, Number.NaN],
        [0, Number.POSITIVE_INFINITY],
      ] as const)
        await expect(store.recordedBetween(conversationSid, above, below)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      await expect(store.recordedBetween("", 0, 2)).rejects.toBeInstanceOf(MailboxInputError);
      await expect(store.recordedBetween("x".repeat(300), 0, 2)).rejects.toBeInstanceOf(
        MailboxInputError,
      );
    });
  });
}
