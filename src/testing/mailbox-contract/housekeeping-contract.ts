import { describe, expect, it, vi } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, day, settleWindowMs } = contractSettings;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mailbox contract: history, handoff, catch-up and housekeeping. */
export function describeHousekeepingContract(use: UseContract): void {
  describe("history, handoff, catch-up and housekeeping", () => {
    it("returns recent inbound and outbound messages in conversation order", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0, body: "hi" }));
      await answerOnce(store);
      await store.ingest(inboundMessage({ conversationSid, index: 2, body: "still there?" }));
      await store.ingest(
        inboundMessage({ conversationSid, index: 1, body: "operator here", role: "human" }),
      );
      await answerOnce(store);
      const history = await store.history(conversationSid);
      expect(
        history.map((entry) =>
          entry.direction === "inbound" ? `${entry.role}:${entry.body}` : `reply:${entry.body}`,
        ),
      ).toEqual([
        "customer:hi",
        "reply:answer to 0",
        "human:operator here",
        "customer:still there?",
        "reply:answer to 2",
      ]);
      const lastTwo = await store.history(conversationSid, { limit: 2 });
      expect(lastTwo.map((entry) => entry.body)).toEqual(["still there?", "answer to 2"]);
      for (const limit of [0, 1.5, 501, Number.NaN])
        await expect(store.history(conversationSid, { limit })).rejects.toMatchObject({
          code: "invalid_mailbox_input",
        });
      expect(await store.history(fakeSid("CH"))).toEqual([]);
    });

    it("hands a conversation to a human: no turns, messages recorded, running turn fenced", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.setHandoff(conversationSid, true);
      await expect(store.complete(lease!, [textReply("too late")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      expect((await store.conversation(conversationSid))?.state).toBe("handoff");
      const statuses = (await store.history(conversationSid)).map(
        (entry) => entry.direction === "inbound" && entry.status,
      );
      expect(statuses).toEqual(["handoff", "handoff", "handoff"]);

      await store.setHandoff(conversationSid, false);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      expect(await answerOnce(store)).toEqual([[3]]);
    });

    it("hands off from complete in the same transaction", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("a human will answer")], { handoff: true });
      expect((await store.conversation(conversationSid))?.state).toBe("handoff");
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      expect(await store.claimOutbox("sender", 10, leaseMs)).toHaveLength(1);
      const statuses = (await store.history(conversationSid)).flatMap((entry) =>
        entry.direction === "inbound" ? [entry.status] : [],
      );
      expect(statuses).toEqual(["done", "handoff"]);
      // The human answered message 1; ending the handoff does not answer it again.
      await store.setHandoff(conversationSid, false);
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
    });

    it("answers catch-up questions: last index, known conversations, meta", async () => {
      const { store, harness } = use();
      const first = fakeSid("CH");
      const second = fakeSid("CH");
      expect(await store.lastIndex(first)).toBeNull();
      await store.ingest(inboundMessage({ conversationSid: first, index: 7 }));
      await store.ingest(inboundMessage({ conversationSid: first, index: 3 }));
      await store.ingest(inboundMessage({ conversationSid: second, index: 0, role: "bot" }));
      expect(await store.lastIndex(first)).toBe(7);
      expect((await store.knownConversations()).sort()).toEqual([first, second].sort());
      expect(await store.getMeta("service.heartbeat")).toBeNull();
      await store.setMeta("service.heartbeat", "123");
      await store.setMeta("service.heartbeat", "456");
      const reopened = await harness.reopen();
      expect(await reopened.getMeta("service.heartbeat")).toBe("456");
    });

    it("collects old rows but keeps dedupe keys for at least 7 days", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      const old = inboundMessage({ conversationSid, index: 0, idempotencyToken: "old" });
      await store.ingest(old);
      await answerOnce(store);
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      await store.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM") });
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));

      clock.advance(2 * day);
      const removed = await store.collectGarbage({ olderThanMs: day });
      expect(removed).toMatchObject({ messages: 1, outbox: 1, dedupeKeys: 0 });
      const history = await store.history(conversationSid);
      expect(history.map((entry) => entry.body)).toEqual(["message 1"]);
      expect(await store.ingest(old)).toBe("duplicate");
      expect(
        await store.ingest(inboundMessage({ conversationSid, index: 5, idempotencyToken: "old" })),
      ).toBe("duplicate");
      expect(await answerOnce(store)).toEqual([[1]]);

      clock.advance(6 * day);
      const later = await store.collectGarbage({ olderThanMs: day });
      expect(later.dedupeKeys).toBeGreaterThanOrEqual(2);
      expect(await store.ingest(old)).toBe("accepted");
    });

    it("calls onWork listeners after commits that create work", async () => {
      const { store } = use();
      const notices: string[] = [];
      const stop = store.onWork((notice) => notices.push(notice.kind));
      await store.ingest(inboundMessage());
      expect(notices).toContain("turn");
      await answerOnce(store);
      expect(notices).toContain("outbox");
      stop();
      const count = notices.length;
      await store.ingest(inboundMessage({ index: 1 }));
      expect(notices).toHaveLength(count);
    });

    it("wakes workers for the work a complete or a settle leaves claimable", async () => {
      // The runtime's loops claim after a turn or a send only when their last claim was cut
      // short by capacity: these notices are what wakes them for the rest.
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "queue" });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      // Arrives while the turn runs: the complete must say it is due.
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      const notices: string[] = [];
      const stop = store.onWork((notice) => {
        if (notice.conversationSid === conversationSid) notices.push(notice.kind);
      });
      await store.complete(lease!, [textReply("one"), textReply("two")]);
      await vi.waitFor(() => expect(notices).toEqual(expect.arrayContaining(["turn", "outbox"])));
      notices.length = 0;
      // The second reply waits for the first: settling it must wake the sender.
      const [first] = await store.claimOutbox("sender-a", 8, leaseMs);
      expect(first?.body).toBe("one");
      expect(await store.claimOutbox("sender-a", 8, leaseMs)).toEqual([]);
      await store.settleOutbox(first!, { sent: true, messageSid: fakeSid("IM") });
      await vi.waitFor(() => expect(notices).toContain("outbox"));
      const [second] = await store.claimOutbox("sender-a", 8, leaseMs);
      expect(second?.body).toBe("two");
      stop();
    });

    it("wakes nobody for what a message, a complete or a settle leaves nothing to claim", async () => {
      // Every wake-up is a claim: one that finds nothing is a round trip (PostgreSQL) or a
      // transaction (SQLite) spent per message.
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "queue" });
      const notices: string[] = [];
      const stop = store.onWork((notice) => {
        if (notice.conversationSid === conversationSid) notices.push(notice.kind);
      });
      // Nothing can be missing below a conversation's first message: no second wake-up when
      // its settle window ends.
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await sleep(settleWindowMs * 2);
      expect(notices).toEqual(["turn"]);
      notices.length = 0;
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("one")]);
      await vi.waitFor(() => expect(notices).toContain("outbox"));
      // Nothing arrived during the turn: no turn claim to wake.
      expect(notices).toEqual(["outbox"]);
      notices.length = 0;
      const [reply] = await store.claimOutbox("sender-a", 8, leaseMs);
      await store.settleOutbox(reply!, { sent: true, messageSid: fakeSid("IM") });
      // The next message after the answered one: it cannot be held back either.
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      await sleep(settleWindowMs * 2);
      // The settle left no reply to send: only the message woke anyone.
      expect(notices).toEqual(["turn"]);
      stop();
    });

    it("rejects every call after close", async () => {
      const { store, harness } = use();
      await harness.cleanup();
      await expect(store.ingest(inboundMessage())).rejects.toMatchObject({
        code: "mailbox_closed",
      });
      await expect(store.claim("worker-a", 1, leaseMs)).rejects.toMatchObject({
        code: "mailbox_closed",
      });
      await expect(store.history(fakeSid("CH"))).rejects.toMatchObject({
        code: "mailbox_closed",
      });
    });
  });
}
