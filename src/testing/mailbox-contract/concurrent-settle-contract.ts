import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/**
 * The mailbox contract: sends settled at the same moment (a store may write them together)
 * are each decided as if alone — a sent row, a row settled twice, a row that does not exist.
 */
export function describeConcurrentSettleContract(use: UseContract): void {
  describe("settles at the same moment", () => {
    it("completes each turn finishing at the same moment as if alone, fenced by its own lease", async () => {
      const { store } = use();
      const sids = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      for (const conversationSid of sids)
        await store.ingest(inboundMessage({ conversationSid, customerAddress: "+15550505050" }));
      const leases = await store.claim("worker-a", 10, leaseMs);
      expect(leases).toHaveLength(4);
      const [a, b, c, d] = leases;
      // b's lease is taken by a handoff, c is forged with another version: both are refused;
      // d completes twice at once: once only; a and d hand off / answer as asked.
      await store.setHandoff(b!.conversationSid, true);
      const outcomes = await Promise.allSettled([
        store.complete(a!, [textReply("to a")], { handoff: true }),
        store.complete(b!, [textReply("to b")]),
        store.complete({ ...c!, leaseVersion: c!.leaseVersion + 7 }, [textReply("forged")]),
        store.complete(d!, [textReply("to d"), textReply("more d")]),
        store.complete(d!, [textReply("to d"), textReply("more d")]),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        "fulfilled",
        "rejected",
        "rejected",
        "fulfilled",
        "rejected",
      ]);
      expect(outcomes[0]).toMatchObject({ value: { replyIds: [`${a!.turnId}.r0`] } });
      expect(outcomes[3]).toMatchObject({
        value: { replyIds: [`${d!.turnId}.r0`, `${d!.turnId}.r1`] },
      });
      expect((await store.conversation(a!.conversationSid))?.state).toBe("handoff");
      expect((await store.conversation(b!.conversationSid))?.state).toBe("handoff");
      expect((await store.conversation(c!.conversationSid))?.state).toBe("leased");
      expect((await store.conversation(d!.conversationSid))?.state).toBe("idle");
      // c's real lease still completes; each conversation's replies are in its outbox once.
      await store.complete(c!, [textReply("to c")]);
      const bodies = (await store.claimOutbox("sender", 10, leaseMs)).map((item) => item.body);
      expect(bodies.sort()).toEqual(["to a", "to c", "to d"]);
    });

    it("decides each sent settle on its own and wakes each conversation's next reply", async () => {
      const { store } = use();
      const sids = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      for (const conversationSid of sids)
        await store.ingest(inboundMessage({ conversationSid, customerAddress: "+15550303030" }));
      for (const lease of await store.claim("worker-a", 10, leaseMs))
        await store.complete(lease, [textReply("first"), textReply("second")]);
      const round = await store.claimOutbox("sender", 10, leaseMs);
      expect(round).toHaveLength(4);
      const messageSids = round.map(() => fakeSid("IM"));
      const [a, b, c, d] = round;
      // All in one loop turn: a row settled twice at once, a forged row id among real ones.
      const outcomes = await Promise.all([
        store.settleOutbox(a!, { sent: true, messageSid: messageSids[0]!, index: 1 }),
        store.settleOutbox(b!, { sent: true, messageSid: messageSids[1]! }),
        store.settleOutbox(b!, { sent: true, messageSid: messageSids[1]! }),
        store.settleOutbox({ ...c!, id: 987_654_321 }, { sent: true, messageSid: fakeSid("IM") }),
        store.settleOutbox(c!, { sent: true, messageSid: messageSids[2]!, index: 1 }),
        store.settleOutbox(d!, { sent: true, messageSid: messageSids[3]! }),
      ]);
      expect(outcomes).toEqual([true, true, true, false, true, true]);
      // Each conversation's second reply is next, and only it.
      const next = await store.claimOutbox("sender", 10, leaseMs);
      expect(next.map((item) => item.body)).toEqual(["second", "second", "second", "second"]);
      expect(new Set(next.map((item) => item.conversationSid))).toEqual(new Set(sids));
      for (const [position, item] of round.entries()) {
        const history = await store.history(item.conversationSid);
        const sent = history.find(
          (entry) => entry.direction === "outbound" && entry.replyId === item.replyId,
        );
        expect(sent).toMatchObject({ status: "sent", messageSid: messageSids[position] });
      }
      // Attempts started at once are fenced each by its own claim: a stale claim version and
      // a settled row start nothing, the others do.
      if (store.startSendAttempt !== undefined) {
        const deadline = use().clock.now() + 5_000;
        const [first, second, third] = next;
        const started = await Promise.all([
          store.startSendAttempt(first!, deadline),
          store.startSendAttempt({ ...second!, claimVersion: second!.claimVersion + 1 }, deadline),
          store.startSendAttempt(third!, deadline),
          store.startSendAttempt(third!, deadline),
          store.startSendAttempt(a!, deadline),
        ]);
        expect(started).toEqual([true, false, true, true, false]);
      }
      // Our messages coming back through the webhook are duplicates of the settled sends.
      expect(
        await store.ingest(
          inboundMessage({
            conversationSid: a!.conversationSid,
            messageSid: messageSids[0]!,
            index: 1,
            role: "bot",
            author: "bot",
          }),
        ),
      ).toBe("duplicate");
    });
  });
}
