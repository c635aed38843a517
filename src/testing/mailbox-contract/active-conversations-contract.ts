import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

/**
 * The mailbox contract: `activeConversations` answers the conversations with a customer
 * message (or, with none yet, a row created) since a time, most recent first, within a
 * limit, never a gone one — what catch-up lists instead of every conversation ever seen.
 */
export function describeActiveConversationsContract(use: UseContract): void {
  describe("conversations active since a time (catch-up's candidates)", () => {
    it("answers those with a customer message since the time, most recent first", async () => {
      const { store, clock } = use();
      if (store.activeConversations === undefined) return;
      const at = clock.now();
      const sids = { old: fakeSid("CH"), a: fakeSid("CH"), b: fakeSid("CH"), c: fakeSid("CH") };
      const customerAt = { old: at - 60_000, a: at - 3_000, b: at - 1_000, c: at - 2_000 };
      for (const [name, conversationSid] of Object.entries(sids)) {
        const dateCreated = customerAt[name as keyof typeof sids];
        await store.ingest(inboundMessage({ conversationSid, dateCreated, receivedAt: at }));
      }
      // A later operator message does not make a conversation active: only the customer's do.
      await store.ingest(
        inboundMessage({ conversationSid: sids.old, index: 1, role: "human", dateCreated: at }),
      );

      const active = await store.activeConversations(at - 10_000, 100);
      expect(active.map((record) => record.conversationSid)).toEqual([sids.b, sids.c, sids.a]);
      expect(active[0]).toMatchObject({ lastInboundAt: at - 1_000, pendingCount: 1 });
      // The limit keeps the most recent; the time is inclusive.
      const two = await store.activeConversations(at - 10_000, 2);
      expect(two.map((record) => record.conversationSid)).toEqual([sids.b, sids.c]);
      const exact = await store.activeConversations(at - 2_000, 100);
      expect(exact.map((record) => record.conversationSid)).toEqual([sids.b, sids.c]);
      expect(await store.activeConversations(at + 1, 100)).toEqual([]);
    });

    it("counts a conversation with no customer message from its creation", async () => {
      const { store, clock } = use();
      if (store.activeConversations === undefined) return;
      const opened = fakeSid("CH");
      // A row with no message at all (we set its policy before anyone wrote).
      await store.setPolicy(opened, { mode: "queue" });
      const createdAt = clock.now();
      clock.advance(5_000);
      const since = (await store.activeConversations(createdAt, 10)).map((r) => r.conversationSid);
      expect(since).toContain(opened);
      const after = await store.activeConversations(createdAt + 1, 10);
      expect(after.map((record) => record.conversationSid)).not.toContain(opened);
    });

    it("leaves out a conversation marked gone", async () => {
      const { store, clock } = use();
      if (store.activeConversations === undefined) return;
      const kept = fakeSid("CH");
      const gone = fakeSid("CH");
      for (const conversationSid of [kept, gone])
        await store.ingest(inboundMessage({ conversationSid, dateCreated: clock.now() }));
      await store.markGone(gone, "404 from Twilio");
      const active = await store.activeConversations(clock.now() - 1_000, 10);
      expect(active.map((record) => record.conversationSid)).toEqual([kept]);
      // Unless asked for: the console still lists it, marked gone.
      const all = await store.activeConversations(clock.now() - 1_000, 10, { includeGone: true });
      expect(all.map((record) => record.conversationSid).sort()).toEqual([kept, gone].sort());
      expect(all.find((record) => record.conversationSid === gone)?.goneAt).toBeTypeOf("number");
    });

    it("refuses a time that is not finite or a limit out of range", async () => {
      const { store } = use();
      if (store.activeConversations === undefined) return;
      for (const [since, limit] of [
        [Number.NaN, 10],
        [Number.POSITIVE_INFINITY, 10],
        ["0", 10],
        [0, 0],
        [0, 1.5],
        [0, 10_001],
        [0, -1],
      ] as const)
        await expect(store.activeConversations(since as number, limit)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      for (const options of [null, "yes", { includeGone: "yes" }])
        await expect(
          store.activeConversations(0, 10, options as { includeGone?: boolean }),
        ).rejects.toBeInstanceOf(MailboxInputError);
    });
  });
}
