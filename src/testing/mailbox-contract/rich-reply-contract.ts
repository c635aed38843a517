import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/**
 * The mailbox contract for rich conversations: each reply's recorded attributes (SMS
 * segments and encoding, web chat choices) come back in history, and the meta values the
 * runtime keeps for Content templates are overwritten
 * in place and kept whole.
 */
export function describeRichReplyContract(use: UseContract): void {
  describe("rich replies: recorded segments, choices and transcripts", () => {
    it("history returns each reply's attributes as completed, sent or not", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0, channel: "sms" }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [
        { body: "Open 9-5", attributes: { switchboardSms: { encoding: "GSM-7", segments: 1 } } },
        { body: "Bye 😀", attributes: { switchboardSms: { encoding: "UCS-2", segments: 1 } } },
      ]);
      const [first] = await store.claimOutbox("sender", 1, leaseMs);
      await store.settleOutbox(first!, { sent: true, messageSid: fakeSid("IM") });
      const replies = (await store.history(conversationSid)).filter(
        (entry) => entry.direction === "outbound",
      );
      expect(replies.map((entry) => [entry.body, entry.status, entry.attributes])).toEqual([
        ["Open 9-5", "sent", { switchboardSms: { encoding: "GSM-7", segments: 1 } }],
        ["Bye 😀", "pending", { switchboardSms: { encoding: "UCS-2", segments: 1 } }],
      ]);
    });

    it("meta keeps JSON values whole and replaces them in place, across reopen", async () => {
      const { store, harness } = use();
      const key = `content:${fakeSid("IM")}`;
      const first = JSON.stringify({ 0: "Are you open on Sunday? ‘Yes’ — 🚲" });
      await store.setMeta(key, first);
      expect(await store.getMeta(key)).toBe(first);
      const second = JSON.stringify({ 0: "Are you open on Sunday?", 1: "x".repeat(4000) });
      await store.setMeta(key, second);
      await store.setMeta(`choices:${fakeSid("CH")}`, "");
      const reopened = await harness.reopen();
      expect(await reopened.getMeta(key)).toBe(second);
    });
  });
}
