import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { InboundDeadLetterInput } from "../../mailbox/mailbox-store.js";
import { inboundDeadLetterLimits } from "../../mailbox/validate-inbound-dead-letter.js";
import { mailboxLimits } from "../../mailbox/validate-mailbox-input.js";
import type { UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

const letter = (overrides: Partial<InboundDeadLetterInput> = {}): InboundDeadLetterInput => ({
  conversationSid: "CH00000000000000000000000000000001",
  messageSid: fakeSid("IM"),
  author: "+1555•••0001",
  field: "body",
  reason: `body: is longer than ${mailboxLimits.bodyLength} characters`,
  bodyLength: mailboxLimits.bodyLength + 1,
  ...overrides,
});

/** The mailbox contract: messages that can never be stored are kept as bounded summaries. */
export function describeInboundDeadLetterContract(use: UseContract): void {
  describe("inbound dead letters", () => {
    it("keeps a summary of a message ingest refused, once per SID, and durably", async () => {
      const { store, clock, harness } = use();
      const refused = inboundMessage({ body: "x".repeat(mailboxLimits.bodyLength + 1) });
      const error = await store.ingest(refused).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MailboxInputError);
      expect((error as MailboxInputError).field).toBe("body");

      const first = letter({ messageSid: refused.messageSid });
      expect(await store.recordInboundDeadLetter(first)).toBe(true);
      clock.advance(1000);
      // Twilio retried (or catch-up met it again): the same SID is not recorded twice.
      expect(await store.recordInboundDeadLetter({ ...first, reason: "again" })).toBe(false);
      const second = letter({
        field: "attributes",
        reason: "attributes: too large",
        bodyLength: 3,
      });
      expect(await store.recordInboundDeadLetter(second)).toBe(true);

      const reopened = await harness.reopen();
      const listed = await reopened.inboundDeadLetters();
      expect(listed).toEqual([
        { ...second, recordedAt: clock.now() },
        { ...first, recordedAt: clock.now() - 1000 },
      ]);
      expect(await reopened.inboundDeadLetters({ limit: 1 })).toHaveLength(1);
      // Nothing else was written: no conversation, no pending turn.
      expect(await reopened.conversation(refused.conversationSid)).toBeNull();
      expect((await reopened.stats()).pendingMessages).toBe(0);
    });

    it("refuses malformed letters and list limits, writing nothing", async () => {
      const { store } = use();
      const malformed: Array<Partial<InboundDeadLetterInput>> = [
        { messageSid: "" },
        { messageSid: "IM".padEnd(inboundDeadLetterLimits.sidLength + 1, "0") },
        { conversationSid: "CH\u0000" },
        { author: "\uD800" },
        { field: "" },
        { reason: "r".repeat(inboundDeadLetterLimits.reasonLength + 1) },
        { bodyLength: -1 },
        { bodyLength: 1.5 },
      ];
      for (const overrides of malformed)
        await expect(
          store.recordInboundDeadLetter(letter(overrides)),
          JSON.stringify(overrides),
        ).rejects.toBeInstanceOf(MailboxInputError);
      await expect(
        store.recordInboundDeadLetter(null as unknown as InboundDeadLetterInput),
      ).rejects.toBeInstanceOf(MailboxInputError);
      for (const limit of [0, 1001, 2.5])
        await expect(store.inboundDeadLetters({ limit })).rejects.toBeInstanceOf(MailboxInputError);
      expect(await store.inboundDeadLetters()).toEqual([]);
    });

    it("keeps only the most recent letters, so a flood cannot grow the store", async () => {
      const { store, clock } = use();
      const total = inboundDeadLetterLimits.kept + 5;
      const sids: string[] = [];
      for (let start = 0; start < total; start += 100) {
        const batch = Array.from({ length: Math.min(100, total - start) }, () => {
          const messageSid = fakeSid("IM");
          sids.push(messageSid);
          return store.recordInboundDeadLetter(letter({ messageSid }));
        });
        expect(await Promise.all(batch)).not.toContain(false);
        clock.advance(1);
      }
      const kept = await store.inboundDeadLetters({ limit: inboundDeadLetterLimits.maxList });
      expect(kept).toHaveLength(inboundDeadLetterLimits.kept);
      // Five of the oldest batch went (which five is the store's insertion order); every
      // later letter stayed, and the newest are listed first.
      const keptSids = new Set(kept.map((entry) => entry.messageSid));
      expect(sids.slice(0, 100).filter((sid) => keptSids.has(sid))).toHaveLength(95);
      expect(sids.slice(100).every((sid) => keptSids.has(sid))).toBe(true);
      expect(kept[0]!.recordedAt).toBe(clock.now() - 1);
    });
  });
}
