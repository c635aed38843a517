import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/** The mailbox contract: ingest and dedupe. */
export function describeIngestContract(use: UseContract): void {
  describe("ingest and dedupe", () => {
    it("accepts a message once and reports later copies as duplicates", async () => {
      const { store } = use();
      const message = inboundMessage();
      expect(await store.ingest(message)).toBe("accepted");
      expect(await store.ingest(message)).toBe("duplicate");
      expect(await store.ingest({ ...message, body: "changed on retry" })).toBe("duplicate");
      const history = await store.history(message.conversationSid);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ direction: "inbound", body: "message 0" });
    });

    it("dedupes by idempotency token even when the SID differs", async () => {
      const { store } = use();
      const first = inboundMessage({ idempotencyToken: "token-1" });
      expect(await store.ingest(first)).toBe("accepted");
      expect(await store.ingest(inboundMessage({ idempotencyToken: "token-1" }))).toBe("duplicate");
      expect(await store.ingest(inboundMessage({ index: 1, idempotencyToken: "token-2" }))).toBe(
        "accepted",
      );
      expect(await store.history(first.conversationSid)).toHaveLength(2);
    });

    it("answers a copy under a new token duplicate and leaves that token free", async () => {
      const { store } = use();
      const message = inboundMessage({ idempotencyToken: "first-token" });
      expect(await store.ingest(message)).toBe("accepted");
      // Same SID, another token: the token key is taken before the SID key refuses it, and
      // must be given back, or the next message carrying that token would be lost.
      expect(await store.ingest({ ...message, idempotencyToken: "second-token" })).toBe(
        "duplicate",
      );
      expect(
        await store.ingest(inboundMessage({ index: 1, idempotencyToken: "second-token" })),
      ).toBe("accepted");
      expect(await store.history(message.conversationSid)).toHaveLength(2);
    });

    it("accepts exactly one of many concurrent copies", async () => {
      const { store } = use();
      const message = inboundMessage({ idempotencyToken: "concurrent" });
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, copy) =>
          store.ingest(copy % 2 === 0 ? message : { ...message, messageSid: fakeSid("IM") }),
        ),
      );
      expect(results.filter((result) => result === "accepted")).toHaveLength(1);
      expect(await store.history(message.conversationSid)).toHaveLength(1);
    });

    it("stores many concurrent distinct messages, each durable when it resolves", async () => {
      const { store, harness } = use();
      const conversationSid = fakeSid("CH");
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          store.ingest(inboundMessage({ conversationSid, index })),
        ),
      );
      expect(results.every((result) => result === "accepted")).toBe(true);
      const reopened = await harness.reopen();
      expect(await reopened.history(conversationSid, { limit: 100 })).toHaveLength(40);
      expect(await reopened.lastIndex(conversationSid)).toBe(39);
    });

    it("ingests a mixed batch of one loop turn exactly once, waking each conversation", async () => {
      // Everything below reaches the store in one loop turn, so a store that commits in
      // batches (both do) gets it as one or a few batches: copies inside the batch, a token
      // reused under another SID, history rows and several conversations at once.
      const { store } = use();
      const woken = new Set<string>();
      const stop = store.onWork((notice) => {
        if (notice.kind === "turn") woken.add(notice.conversationSid);
      });
      const conversations = Array.from({ length: 12 }, () => fakeSid("CH"));
      const originals = conversations.flatMap((conversationSid, c) =>
        Array.from({ length: 5 }, (_, index) =>
          inboundMessage({
            conversationSid,
            index,
            idempotencyToken: `batch-${c}-${index}`,
            role: index === 4 ? "bot" : "customer",
          }),
        ),
      );
      const copies = originals
        .filter((_, n) => n % 4 === 0)
        .flatMap((message) => [message, { ...message, messageSid: fakeSid("IM") }]);
      const results = await Promise.all(
        [...originals, ...copies].map((message) => store.ingest(message)),
      );
      expect(results.slice(0, originals.length).every((result) => result === "accepted")).toBe(
        true,
      );
      expect(results.slice(originals.length).every((result) => result === "duplicate")).toBe(true);
      stop();
      for (const conversationSid of conversations) {
        const history = await store.history(conversationSid);
        expect(history.map((entry) => entry.direction === "inbound" && entry.status)).toEqual([
          "pending",
          "pending",
          "pending",
          "pending",
          "history",
        ]);
        expect(await store.lastIndex(conversationSid)).toBe(4);
        expect(woken.has(conversationSid)).toBe(true);
      }
    });

    it("rejects malformed and oversized messages and writes nothing", async () => {
      const { store } = use();
      const bad = [
        inboundMessage({ index: -1 }),
        inboundMessage({ index: 1.5 }),
        inboundMessage({ messageSid: "" }),
        inboundMessage({ conversationSid: "" }),
        inboundMessage({ channel: "fax" as never }),
        inboundMessage({ role: "robot" as never }),
        inboundMessage({ body: 42 as never }),
        inboundMessage({ body: "x".repeat(70_000) }),
        inboundMessage({ attributes: { blob: "y".repeat(20_000) } }),
        inboundMessage({ attributes: [] as never }),
        inboundMessage({ media: "none" as never }),
        inboundMessage({ dateCreated: Number.NaN }),
        inboundMessage({ messageSid: "IM".padEnd(500, "0") }),
        null as never,
      ];
      for (const message of bad) {
        await expect(store.ingest(message)).rejects.toMatchObject({
          code: "invalid_mailbox_input",
        });
      }
      expect(await store.knownConversations()).toEqual([]);
    });

    it("keeps a message after close and reopen", async () => {
      const { store, harness } = use();
      const message = inboundMessage({ idempotencyToken: "durable" });
      await store.ingest(message);
      const reopened = await harness.reopen();
      expect(await reopened.ingest(message)).toBe("duplicate");
      const [lease] = await reopened.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((item) => item.messageSid)).toEqual([message.messageSid]);
    });

    it("records bot and human messages without starting a turn", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0, role: "bot" }));
      await store.ingest(inboundMessage({ conversationSid, index: 1, role: "human" }));
      expect(await store.claim("worker-a", 10, leaseMs)).toEqual([]);
      const history = await store.history(conversationSid);
      expect(history.map((entry) => entry.direction === "inbound" && entry.status)).toEqual([
        "history",
        "history",
      ]);
      expect((await store.conversation(conversationSid))?.lastInboundAt).toBeNull();
    });

    it("keeps the conversation's addresses and the WhatsApp window start", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(
        inboundMessage({
          conversationSid,
          channel: "whatsapp",
          customerAddress: "whatsapp:+15551230002",
          proxyAddress: "whatsapp:+15017250604",
          dateCreated: 1_000,
        }),
      );
      expect(await store.conversation(conversationSid)).toMatchObject({
        channel: "whatsapp",
        customerAddress: "whatsapp:+15551230002",
        proxyAddress: "whatsapp:+15017250604",
        lastInboundAt: 1_000,
        state: "idle",
        pendingCount: 1,
      });
    });
  });
}
