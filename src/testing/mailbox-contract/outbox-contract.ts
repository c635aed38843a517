import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/** The mailbox contract: outbox. */
export function describeOutboxContract(use: UseContract): void {
  describe("outbox", () => {
    it("sends replies in order, one in flight per conversation", async () => {
      const { store } = use();
      const first = fakeSid("CH");
      const second = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: first }));
      await store.ingest(inboundMessage({ conversationSid: second }));
      for (const lease of await store.claim("worker-a", 10, leaseMs)) {
        const replies = lease.conversationSid === first ? ["1a", "1b", "1c"] : ["2a"];
        await store.complete(lease, replies.map(textReply));
      }
      const sent: string[] = [];
      const round = await store.claimOutbox("sender", 10, leaseMs);
      expect(round.map((item) => item.body).sort()).toEqual(["1a", "2a"]);
      expect(await store.claimOutbox("sender-2", 10, leaseMs)).toEqual([]);
      for (const item of round) {
        expect(item.attempt).toBe(1);
        expect(item.to).toBe("+15551230001");
        expect(item.from).toBe("+15017250604");
        expect(item.channel).toBe("sms");
        expect(await store.settleOutbox(item, { sent: true, messageSid: fakeSid("IM") })).toBe(
          true,
        );
        sent.push(item.body ?? "");
      }
      for (;;) {
        const items = await store.claimOutbox("sender", 10, leaseMs);
        if (items.length === 0) break;
        expect(items).toHaveLength(1);
        for (const item of items) {
          await store.settleOutbox(item, { sent: true, messageSid: fakeSid("IM") });
          sent.push(item.body ?? "");
        }
      }
      expect(sent.filter((body) => body.startsWith("1"))).toEqual(["1a", "1b", "1c"]);
    });

    it("retries at retryAt, reclaims a crashed send, and fences stale settles", async () => {
      const { store, clock } = use();
      await store.ingest(inboundMessage());
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("one"), textReply("two")]);

      const [try1] = await store.claimOutbox("sender", 10, leaseMs);
      expect(await store.settleOutbox(try1!, { retryAt: clock.now() + 1_000, error: "429" })).toBe(
        true,
      );
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      clock.advance(1_000);
      const [try2] = await store.claimOutbox("sender", 10, leaseMs);
      expect(try2).toMatchObject({ replyId: try1!.replyId, attempt: 2, lastError: "429" });

      // The sender crashes mid-send: the claim expires and another sender takes over.
      clock.advance(leaseMs);
      const [try3] = await store.claimOutbox("sender-2", 10, leaseMs);
      expect(try3).toMatchObject({ replyId: try1!.replyId, attempt: 3 });
      expect(await store.settleOutbox(try2!, { failed: true, error: "stale" })).toBe(false);
      expect(await store.settleOutbox(try2!, { retryAt: clock.now(), error: "stale" })).toBe(false);
      // A stale sender that did send reports a fact: it is recorded.
      const staleSid = fakeSid("IM");
      expect(await store.settleOutbox(try2!, { sent: true, messageSid: staleSid })).toBe(true);
      // The new sender found it already sent (or sent it too): the first fact stands.
      expect(await store.settleOutbox(try3!, { sent: true, messageSid: fakeSid("IM") })).toBe(true);
      const recorded = await store.history(lease!.conversationSid);
      expect(
        recorded.find((entry) => entry.direction === "outbound" && entry.replyId === try1!.replyId),
      ).toMatchObject({ status: "sent", messageSid: staleSid });
      const [next] = await store.claimOutbox("sender", 10, leaseMs);
      expect(next?.body).toBe("two");
      expect(await store.settleOutbox(next!, { failed: true, error: "21211" })).toBe(true);
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      const history = await store.history(lease!.conversationSid);
      expect(
        history.flatMap((entry) => (entry.direction === "outbound" ? [entry.status] : [])),
      ).toEqual(["sent", "failed"]);
    });

    it("learns a new conversation's channel and customer from enqueueReply, never overriding a message's", async () => {
      const { store } = use();
      const opened = fakeSid("CH");
      const known = { channel: "whatsapp", customerAddress: "whatsapp:+15551239999" } as const;
      expect(await store.enqueueReply(opened, "text-1.0", { body: "hello" }, known)).toBe("queued");
      expect(await store.conversation(opened)).toMatchObject({
        channel: "whatsapp",
        customerAddress: "whatsapp:+15551239999",
      });
      const [item] = await store.claimOutbox("sender", 10, leaseMs);
      expect(item).toMatchObject({ channel: "whatsapp", to: "whatsapp:+15551239999", from: null });

      // A conversation a message described keeps what the message said.
      const described = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: described }));
      await store.enqueueReply(described, "text-2.0", { body: "hi" }, known);
      expect(await store.conversation(described)).toMatchObject({
        channel: "sms",
        customerAddress: "+15551230001",
        proxyAddress: "+15017250604",
      });
      await expect(
        store.enqueueReply(
          fakeSid("CH"),
          "text-3.0",
          { body: "x" },
          {
            channel: "fax" as never,
            customerAddress: "+1",
          },
        ),
      ).rejects.toMatchObject({ code: "invalid_mailbox_input", field: "known.channel" });
    });

    it("holds the replies behind a head that waits for its retry, then sends them in order", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      const other = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("one"), textReply("two")]);
      const [head] = await store.claimOutbox("sender", 10, leaseMs);
      expect(head?.body).toBe("one");
      await store.settleOutbox(head!, { retryAt: clock.now() + 5_000, error: "Twilio 503" });
      // Added behind it while it waits; another conversation's reply goes meanwhile.
      expect(await store.enqueueReply(conversationSid, "operator-1", { body: "three" })).toBe(
        "queued",
      );
      await store.ingest(inboundMessage({ conversationSid: other, index: 0 }));
      const [elsewhere] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(elsewhere!, [textReply("meanwhile")]);
      const [meanwhile, ...none] = await store.claimOutbox("sender", 10, leaseMs);
      expect([meanwhile?.body, none]).toEqual(["meanwhile", []]);
      await store.settleOutbox(meanwhile!, { sent: true, messageSid: fakeSid("IM") });

      clock.advance(4_999);
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      clock.advance(1);
      const bodies: (string | null)[] = [];
      for (;;) {
        const items = await store.claimOutbox("sender", 10, leaseMs);
        if (items.length === 0) break;
        expect(items).toHaveLength(1);
        bodies.push(items[0]!.body);
        await store.settleOutbox(items[0]!, { sent: true, messageSid: fakeSid("IM") });
      }
      expect(bodies).toEqual(["one", "two", "three"]);
    });

    it("treats our own sent message coming back through the webhook as a duplicate", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [textReply("first"), textReply("second")]);
      const echo = (index: number, messageSid: string) =>
        inboundMessage({ conversationSid, index, messageSid, role: "bot", author: "bot" });

      // The echo of the first reply arrives before its send is settled…
      const [first] = await store.claimOutbox("sender", 10, leaseMs);
      const firstSid = fakeSid("IM");
      expect(await store.ingest(echo(1, firstSid))).toBe("accepted");
      await store.settleOutbox(first!, { sent: true, messageSid: firstSid });
      // …the echo of the second after.
      const [second] = await store.claimOutbox("sender", 10, leaseMs);
      const secondSid = fakeSid("IM");
      await store.settleOutbox(second!, { sent: true, messageSid: secondSid });
      expect(await store.ingest(echo(2, secondSid))).toBe("duplicate");
      expect(await store.ingest(echo(1, firstSid))).toBe("duplicate");

      const history = await store.history(conversationSid);
      expect(history.map((entry) => `${entry.direction}:${entry.messageSid}`)).toEqual([
        `inbound:${lease!.turnId}`,
        `outbound:${firstSid}`,
        `outbound:${secondSid}`,
      ]);
    });

    it("keeps a reply's template, media and attributes", async () => {
      const { store } = use();
      await store.ingest(inboundMessage({ channel: "whatsapp" }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(lease!, [
        {
          body: null,
          media: ["https://example.com/a.png"],
          template: { contentSid: "HX00000000000000000000000000000001", variables: { 1: "Ada" } },
          attributes: { kind: "template" },
        },
      ]);
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      expect(item).toMatchObject({
        body: null,
        media: ["https://example.com/a.png"],
        template: { contentSid: "HX00000000000000000000000000000001", variables: { 1: "Ada" } },
        attributes: { kind: "template" },
        channel: "whatsapp",
      });
    });

    it("rejects empty replies and writes nothing", async () => {
      const { store } = use();
      await store.ingest(inboundMessage());
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      await expect(store.complete(lease!, [{ body: "" }])).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      expect(await store.heartbeat(lease!)).toBe(true);
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
    });
  });
}
