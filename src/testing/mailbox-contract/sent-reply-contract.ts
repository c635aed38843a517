import { describe, expect, it } from "vitest";
import type { MailboxStore, OutboundReply } from "../../mailbox/mailbox-store.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, day } = contractSettings;

const template: OutboundReply = {
  body: null,
  template: { contentSid: "HX00000000000000000000000000000001", variables: { 1: "Ada" } },
  attributes: { switchboardTemplateReason: "63016" },
};

/** Answers index 0 of a new conversation with `replies`; returns the conversation and turn. */
async function answeredConversation(store: MailboxStore, replies: readonly string[]) {
  const conversationSid = fakeSid("CH");
  await store.ingest(inboundMessage({ conversationSid, index: 0, channel: "whatsapp" }));
  const [lease] = await store.claim("worker-a", 1, leaseMs);
  await store.complete(lease!, replies.map(textReply));
  return { conversationSid, turnId: lease!.turnId };
}

/** Sends every due reply of the store in order; returns their bodies (templates as "template"). */
async function sendAll(store: MailboxStore): Promise<string[]> {
  const sent: string[] = [];
  for (;;) {
    const items = await store.claimOutbox("sender", 10, leaseMs);
    if (items.length === 0) return sent;
    for (const item of items) {
      sent.push(item.template === null ? (item.body ?? "") : "template");
      await store.settleOutbox(item, { sent: true, messageSid: fakeSid("IM") });
    }
  }
}

/** The mailbox contract: our own sends' indexes, throttled retries and enqueued replies. */
export function describeSentReplyContract(use: UseContract): void {
  describe("sent replies, throttling and enqueued replies", () => {
    it("a customer message right after our reply is claimable at once (no settle wait)", async () => {
      const { store } = use();
      const { conversationSid } = await answeredConversation(store, ["hello", "again"]);
      // Reply 1: recorded as bot history at its index and settled in one commit (the runtime).
      const [first] = await store.claimOutbox("sender", 1, leaseMs);
      const firstSid = fakeSid("IM");
      await Promise.all([
        store.ingest(
          inboundMessage({ conversationSid, index: 1, messageSid: firstSid, role: "bot" }),
        ),
        store.settleOutbox(first!, { sent: true, messageSid: firstSid, index: 1 }),
      ]);
      // Reply 2: settled with its index only (its history copy never stored).
      const [second] = await store.claimOutbox("sender", 1, leaseMs);
      await store.settleOutbox(second!, { sent: true, messageSid: fakeSid("IM"), index: 2 });
      expect(await store.lastIndex(conversationSid)).toBe(2);

      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual([3]);
      // History still shows each reply once.
      const history = await store.history(conversationSid);
      expect(history.map((entry) => `${entry.direction}:${entry.body}`)).toEqual([
        "inbound:message 0",
        "outbound:hello",
        "outbound:again",
        "inbound:message 3",
      ]);
    });

    it("rejects a malformed sent index", async () => {
      const { store } = use();
      await answeredConversation(store, ["hello"]);
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      for (const index of [-1, 1.5, Number.NaN])
        await expect(
          store.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM"), index }),
        ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      expect(await store.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM") })).toBe(true);
    });

    it("does not count a throttled try as an attempt, and says the last try was throttled", async () => {
      const { store, clock } = use();
      await answeredConversation(store, ["hello"]);
      const [try1] = await store.claimOutbox("sender", 1, leaseMs);
      expect(try1).toMatchObject({ attempt: 1, lastErrorThrottled: false });
      for (let storm = 0; storm < 4; storm++) {
        const [item] = storm === 0 ? [try1] : await store.claimOutbox("sender", 1, leaseMs);
        expect(item).toMatchObject({ attempt: 1 });
        const result = { retryAt: clock.now() + 100, error: "429", throttled: true } as const;
        expect(await store.settleOutbox(item!, result)).toBe(true);
        expect(await store.claimOutbox("sender", 1, leaseMs)).toEqual([]);
        clock.advance(100);
      }
      const [afterStorm] = await store.claimOutbox("sender", 1, leaseMs);
      expect(afterStorm).toMatchObject({ attempt: 1, lastError: "429", lastErrorThrottled: true });
      // An ambiguous failure counts.
      await store.settleOutbox(afterStorm!, { retryAt: clock.now(), error: "reset" });
      const [counted] = await store.claimOutbox("sender", 1, leaseMs);
      expect(counted).toMatchObject({ attempt: 2, lastError: "reset", lastErrorThrottled: false });
      // Throttled again, then the sender crashes mid-send: that try may have reached Twilio.
      await store.settleOutbox(counted!, { retryAt: clock.now(), error: "429", throttled: true });
      const [crashed] = await store.claimOutbox("sender", 1, leaseMs);
      expect(crashed).toMatchObject({ attempt: 2, lastErrorThrottled: true });
      clock.advance(leaseMs);
      const [reclaimed] = await store.claimOutbox("sender-2", 1, leaseMs);
      expect(reclaimed).toMatchObject({ attempt: 3, lastErrorThrottled: false });
    });

    it("enqueues a reply after the conversation's pending replies, in order", async () => {
      const { store } = use();
      const { conversationSid, turnId } = await answeredConversation(store, ["part 1", "part 2"]);
      expect(await store.enqueueReply(conversationSid, `${turnId}.template`, template)).toBe(
        "queued",
      );
      const [item] = await store.claimOutbox("sender", 10, leaseMs);
      expect(item?.body).toBe("part 1");
      await store.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM") });
      expect(await sendAll(store)).toEqual(["part 2", "template"]);
      const history = await store.history(conversationSid);
      expect(history.at(-1)).toMatchObject({
        direction: "outbound",
        replyId: `${turnId}.template`,
        turnId,
        template: template.template,
        status: "sent",
      });
      // The next turn's replies come after it.
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("later")]);
      expect(await sendAll(store)).toEqual(["later"]);
    });

    it("enqueues a reply once, even when the same id is enqueued concurrently", async () => {
      const { store } = use();
      const { conversationSid, turnId } = await answeredConversation(store, ["part 1"]);
      const replyId = `${turnId}.template`;
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => store.enqueueReply(conversationSid, replyId, template)),
      );
      expect(outcomes.filter((outcome) => outcome === "queued")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(5);
      // A turn's own reply id is taken too.
      expect(await store.enqueueReply(conversationSid, `${turnId}.r0`, template)).toBe("duplicate");
      expect(await sendAll(store)).toEqual(["part 1", "template"]);
    });

    it("keeps an enqueued reply across a reopen, and its id after garbage collection", async () => {
      const { store, clock, harness } = use();
      const { conversationSid, turnId } = await answeredConversation(store, ["part 1"]);
      const replyId = `${turnId}.template`;
      expect(await store.enqueueReply(conversationSid, replyId, template)).toBe("queued");
      const reopened = await harness.reopen();
      expect(await reopened.enqueueReply(conversationSid, replyId, template)).toBe("duplicate");
      const [first] = await reopened.claimOutbox("sender", 1, leaseMs);
      await reopened.settleOutbox(first!, { sent: true, messageSid: fakeSid("IM") });
      const [item] = await reopened.claimOutbox("sender", 1, leaseMs);
      expect(item).toMatchObject({
        replyId,
        turnId,
        template: template.template,
        attributes: { switchboardTemplateReason: "63016" },
        channel: "whatsapp",
        to: "+15551230001",
        from: "+15017250604",
      });
      await reopened.settleOutbox(item!, { sent: true, messageSid: fakeSid("IM") });
      clock.advance(day);
      expect((await reopened.collectGarbage({ olderThanMs: 1_000 })).outbox).toBe(2);
      expect(await reopened.enqueueReply(conversationSid, replyId, template)).toBe("duplicate");
      expect(await reopened.claimOutbox("sender", 10, leaseMs)).toEqual([]);
    });

    it("rejects a malformed enqueued reply and writes nothing", async () => {
      const { store } = use();
      const { conversationSid, turnId } = await answeredConversation(store, ["part 1"]);
      await expect(store.enqueueReply(conversationSid, "", template)).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      await expect(
        store.enqueueReply(conversationSid, `${turnId}.template`, { body: "" }),
      ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      await expect(
        store.enqueueReply(conversationSid, "x".repeat(1_000), template),
      ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      expect(await sendAll(store)).toEqual(["part 1"]);
    });
  });
}
