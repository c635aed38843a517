import { describe, expect, it } from "vitest";
import type { UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

/** The mailbox contract: a conversation Twilio no longer has is marked gone, once, durably. */
export function describeGoneContract(use: UseContract): void {
  describe("gone conversations", () => {
    it("marks a conversation gone once: the first call answers true, later ones change nothing", async () => {
      const { store, clock } = use();
      const message = inboundMessage({ conversationSid: fakeSid("CH") });
      await store.ingest(message);
      expect(await store.conversation(message.conversationSid)).toMatchObject({
        goneAt: null,
        goneReason: null,
      });

      const markedAt = clock.now();
      expect(await store.markGone(message.conversationSid, "Twilio answered 404")).toBe(true);
      clock.advance(60_000);
      expect(await store.markGone(message.conversationSid, "a second 404")).toBe(false);
      expect(await store.conversation(message.conversationSid)).toMatchObject({
        goneAt: markedAt,
        goneReason: "Twilio answered 404",
        // The rest of the row is untouched: the pending message is still there.
        pendingCount: 1,
        lastIndex: 0,
      });
    });

    it("lets exactly one of several concurrent callers learn the mark is new", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid }));
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, n) => store.markGone(conversationSid, `404 number ${n}`)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it("creates the row for a conversation it never saw, and keeps the mark across a reopen", async () => {
      const { store, harness } = use();
      const conversationSid = fakeSid("CH");
      expect(await store.markGone(conversationSid, "deleted in the Twilio console")).toBe(true);
      expect(await store.knownConversations()).toContain(conversationSid);

      const reopened = await harness.reopen();
      expect(await reopened.conversation(conversationSid)).toMatchObject({
        goneReason: "deleted in the Twilio console",
      });
      expect((await reopened.conversation(conversationSid))?.goneAt).toEqual(expect.any(Number));
      expect(await reopened.markGone(conversationSid, "again")).toBe(false);
    });

    it("refuses an empty SID or an empty or oversized reason, writing nothing", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await expect(store.markGone("", "404")).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      await expect(store.markGone(conversationSid, "")).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      await expect(store.markGone(conversationSid, "x".repeat(1_001))).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      expect(await store.conversation(conversationSid)).toBeNull();
    });
  });
}
