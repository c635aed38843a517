import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { DeliveryUpdate } from "../../mailbox/mailbox-store.js";
import type { UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const receipt = (
  messageSid: string,
  conversationSid: string,
  status: DeliveryUpdate["status"],
  errorCode: number | null = null,
): DeliveryUpdate => ({
  messageSid,
  conversationSid,
  status,
  errorCode,
  channel: "sms",
  updatedAt: 1_000,
});

/** The mailbox contract: delivery status per message and consent per address. */
export function describeLedgerContract(use: UseContract): void {
  describe("delivery status and consent", () => {
    it("records receipts in order and never moves a status backwards", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      const messageSid = fakeSid("IM");
      const first = await store.recordDelivery(receipt(messageSid, conversationSid, "sent"));
      expect(first).toMatchObject({ changed: true, record: { status: "sent", errorCode: null } });
      expect(
        (await store.recordDelivery(receipt(messageSid, conversationSid, "delivered"))).changed,
      ).toBe(true);
      // A duplicate and a late `sent` change nothing.
      const duplicate = await store.recordDelivery(
        receipt(messageSid, conversationSid, "delivered"),
      );
      expect(duplicate).toMatchObject({ changed: false, record: { status: "delivered" } });
      expect(
        (await store.recordDelivery(receipt(messageSid, conversationSid, "sent"))).changed,
      ).toBe(false);
      expect(
        (await store.recordDelivery(receipt(messageSid, conversationSid, "read"))).record.status,
      ).toBe("read");
      expect(
        (await store.recordDelivery(receipt(messageSid, conversationSid, "delivered"))).changed,
      ).toBe(false);
      const [stored] = await store.deliveries(conversationSid);
      expect(stored).toMatchObject({ messageSid, conversationSid, status: "read", channel: "sms" });
    });

    it("keeps a failure with its code when a late sent receipt arrives after it", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      const messageSid = fakeSid("IM");
      await store.recordDelivery(receipt(messageSid, conversationSid, "undelivered", 30003));
      await store.recordDelivery(receipt(messageSid, conversationSid, "sent"));
      await store.recordDelivery(receipt(messageSid, conversationSid, "undelivered", 30003));
      const records = await store.deliveries(conversationSid);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ status: "undelivered", errorCode: 30003 });
    });

    it("lists only the conversation's records, and they survive a reopen", async () => {
      const { harness, store } = use();
      const conversationSid = fakeSid("CH");
      const other = fakeSid("CH");
      await store.recordDelivery(receipt(fakeSid("IM"), conversationSid, "sent"));
      await store.recordDelivery(receipt(fakeSid("IM"), conversationSid, "failed", 21610));
      await store.recordDelivery(receipt(fakeSid("IM"), other, "delivered"));
      const reopened = await harness.reopen();
      const records = await reopened.deliveries(conversationSid);
      expect(records.map((record) => record.status).sort()).toEqual(["failed", "sent"]);
      expect(await reopened.deliveries(fakeSid("CH"))).toEqual([]);
    });

    it("refuses malformed receipts and writes nothing", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      const messageSid = fakeSid("IM");
      const bad = { ...receipt(messageSid, conversationSid, "sent"), status: "lost" };
      await expect(store.recordDelivery(bad as DeliveryUpdate)).rejects.toBeInstanceOf(
        MailboxInputError,
      );
      await expect(
        store.recordDelivery({ ...receipt(messageSid, conversationSid, "failed"), errorCode: -1 }),
      ).rejects.toBeInstanceOf(MailboxInputError);
      await expect(
        store.recordDelivery({ ...receipt("", conversationSid, "sent") }),
      ).rejects.toBeInstanceOf(MailboxInputError);
      expect(await store.deliveries(conversationSid)).toEqual([]);
    });

    it("history shows a retrying reply's attempts and last error", async () => {
      const { clock, store } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const [lease] = await store.claim("worker-a", 1, 10_000);
      await store.complete(lease!, [textReply("hello")]);
      const [item] = await store.claimOutbox("sender", 1, 10_000);
      await store.settleOutbox(item!, {
        retryAt: clock.now() + 1_000,
        error: "Twilio answered 503",
        outcome: "unsent",
      });
      const outbound = (await store.history(conversationSid)).find(
        (entry) => entry.direction === "outbound",
      );
      expect(outbound).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "Twilio answered 503",
      });
    });

    it("keeps consent per address across conversations; the latest change wins", async () => {
      const { clock, harness, store } = use();
      const address = "+15550001111";
      expect(await store.consent(address)).toBeNull();
      const out = await store.setConsent({
        address,
        state: "opted-out",
        reason: "keyword",
        detail: "STOP",
      });
      expect(out).toMatchObject({ address, state: "opted-out", reason: "keyword", detail: "STOP" });
      expect(out.changedAt).toBe(clock.now());
      // Another channel's address is another customer address.
      expect(await store.consent(`whatsapp:${address}`)).toBeNull();
      clock.advance(1_000);
      await store.setConsent({ address, state: "opted-in", reason: "operator" });
      const reopened = await harness.reopen();
      expect(await reopened.consent(address)).toMatchObject({
        state: "opted-in",
        reason: "operator",
        detail: null,
        changedAt: clock.now(),
      });
      await reopened.setConsent({ address, state: "opted-out", reason: "twilio-21610" });
      expect((await reopened.consent(address))?.reason).toBe("twilio-21610");
    });

    it("answers many consent lookups made at once, each for its own address", async () => {
      // A store may answer lookups of one loop turn with one query (PostgreSQL does): each
      // caller still gets its own address's record, a repeated address included, and a
      // lookup made after a change resolved sees the change.
      const { store } = use();
      const addresses = Array.from(
        { length: 30 },
        (_, n) => `+1555000${String(n).padStart(4, "0")}`,
      );
      for (const address of addresses.filter((_, n) => n % 3 === 0))
        await store.setConsent({ address, state: "opted-out", reason: "keyword", detail: address });
      const asked = [...addresses, ...addresses.slice(0, 5)];
      const answers = await Promise.all(asked.map((address) => store.consent(address)));
      answers.forEach((answer, n) => {
        const address = asked[n]!;
        if (addresses.indexOf(address) % 3 === 0)
          expect(answer).toMatchObject({ address, state: "opted-out", detail: address });
        else expect(answer).toBeNull();
      });
      await store.setConsent({ address: addresses[1]!, state: "opted-out", reason: "operator" });
      const [changed, unchanged] = await Promise.all([
        store.consent(addresses[1]!),
        store.consent(addresses[2]!),
      ]);
      expect(changed?.reason).toBe("operator");
      expect(unchanged).toBeNull();
    });

    it("refuses malformed consent changes and writes nothing", async () => {
      const { store } = use();
      const address = "+15550002222";
      for (const change of [
        { address: "", state: "opted-out", reason: "keyword" },
        { address, state: "maybe", reason: "keyword" },
        { address, state: "opted-out", reason: "because" },
        { address, state: "opted-out", reason: "keyword", detail: "x".repeat(201) },
      ])
        await expect(store.setConsent(change as never)).rejects.toBeInstanceOf(MailboxInputError);
      expect(await store.consent(address)).toBeNull();
    });
  });
}
