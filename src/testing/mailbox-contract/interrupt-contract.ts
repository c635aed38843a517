import { describe, expect, it } from "vitest";
import type { MailboxStore, WorkNotice } from "../../mailbox/mailbox-store.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, maxAttempts, settleWindowMs } = contractSettings;

/** The `interrupt` notices `store` announces from now on, by conversation. */
function interruptNotices(store: MailboxStore): { sids: string[]; stop(): void } {
  const sids: string[] = [];
  const stop = store.onWork((notice: WorkNotice) => {
    if (notice.kind === "interrupt") sids.push(notice.conversationSid);
  });
  return { sids, stop };
}

/**
 * The mailbox contract: the `interrupt` turn policy. A customer message stored while a turn
 * runs takes the turn away (fenced, uncounted) unless that turn journaled a step.
 */
export function describeInterruptContract(use: UseContract): void {
  describe("interrupt policy", () => {
    it("takes a running turn away and answers its messages with the new one, in Index order", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      expect((await store.conversation(conversationSid))?.policy).toEqual({ mode: "interrupt" });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [running] = await store.claim("worker-a", 10, leaseMs);
      expect(running?.messages.map((message) => message.index)).toEqual([0]);
      const notices = interruptNotices(store);
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      notices.stop();
      expect(notices.sids).toEqual([conversationSid]);
      // The interrupted worker is fenced out of everything.
      expect(await store.heartbeat(running!)).toBe(false);
      await expect(
        store.journalRecord(running!, `${running!.turnId}/tool/0/0`, { name: "book", value: 1 }),
      ).rejects.toMatchObject({ code: "lease_lost" });
      await expect(store.complete(running!, [textReply("too late")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      const [combined] = await store.claim("worker-b", 10, leaseMs);
      expect(combined?.messages.map((message) => message.index)).toEqual([0, 1]);
      expect(combined?.turnId).toBe(running!.turnId);
      // Interrupting is no failure: the attempt is given back.
      expect(combined?.attempt).toBe(1);
      await store.complete(combined!, [textReply("both answered")]);
      const history = await store.history(conversationSid);
      expect(
        history.map((entry) => (entry.direction === "inbound" ? entry.status : entry.body)),
      ).toEqual(["done", "done", "both answered"]);
    });

    it("queues the new message instead once the running turn journaled a step", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [running] = await store.claim("worker-a", 10, leaseMs);
      await store.journalRecord(running!, `${running!.turnId}/tool/0/0`, {
        name: "book",
        value: { reference: "B-7" },
      });
      const notices = interruptNotices(store);
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      notices.stop();
      expect(notices.sids).toEqual([]);
      expect(await store.heartbeat(running!)).toBe(true);
      expect(await store.claim("worker-b", 10, leaseMs)).toEqual([]);
      await store.complete(running!, [textReply("booked B-7")]);
      const [next] = await store.claim("worker-b", 10, leaseMs);
      expect(next?.messages.map((message) => message.index)).toEqual([1]);
      expect(next?.turnId).not.toBe(running!.turnId);
    });

    it("interrupts again and again without using up the turn's attempts", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      let lease = (await store.claim("worker-a", 10, leaseMs))[0];
      for (let index = 1; index <= maxAttempts + 1; index++) {
        await store.ingest(inboundMessage({ conversationSid, index }));
        expect(await store.heartbeat(lease!)).toBe(false);
        lease = (await store.claim("worker-a", 10, leaseMs))[0];
        expect(lease?.attempt).toBe(1);
        expect(lease?.messages).toHaveLength(index + 1);
      }
      expect(lease?.messages.map((message) => message.index)).toEqual([0, 1, 2, 3, 4]);
      // A real failure still counts.
      await store.fail(lease!, "model down", 0);
      expect((await store.claim("worker-a", 10, leaseMs))[0]?.attempt).toBe(2);
    });

    it("leaves running turns alone for bot and person messages, other policies and expired leases", async () => {
      const { store, clock } = use();
      const notices = interruptNotices(store);
      const interrupted = fakeSid("CH");
      await store.setPolicy(interrupted, { mode: "interrupt" });
      await store.ingest(inboundMessage({ conversationSid: interrupted, index: 0 }));
      const queued = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: queued, index: 0 }));
      const leases = await store.claim("worker-a", 10, leaseMs);
      expect(leases).toHaveLength(2);
      await store.ingest(inboundMessage({ conversationSid: interrupted, index: 1, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid: interrupted, index: 2, role: "human" }));
      await store.ingest(inboundMessage({ conversationSid: queued, index: 1 }));
      for (const lease of leases) expect(await store.heartbeat(lease)).toBe(true);
      // An expired lease is a crashed worker's: its next claim counts as a try.
      clock.advance(leaseMs + 1);
      await store.ingest(inboundMessage({ conversationSid: interrupted, index: 3 }));
      expect(notices.sids).toEqual([]);
      notices.stop();
      const retried = (await store.claim("worker-b", 10, leaseMs)).find(
        (lease) => lease.conversationSid === interrupted,
      );
      expect(retried?.attempt).toBe(2);
      expect(retried?.messages.map((message) => message.index)).toEqual([0, 3]);
    });

    it("does not wait: every settled pending message is one turn, cut before a missing index", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      expect(await answerOnce(store)).toEqual([[0, 1]]);
      clock.advance(settleWindowMs);
      expect(await answerOnce(store)).toEqual([[3]]);
    });

    it("keeps the policy across a reopen", async () => {
      const { store, harness } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "interrupt" });
      const reopened = await harness.reopen();
      expect((await reopened.conversation(conversationSid))?.policy).toEqual({
        mode: "interrupt",
      });
    });
  });
}
