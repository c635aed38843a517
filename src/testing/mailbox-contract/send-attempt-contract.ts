import { describe, expect, it } from "vitest";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { MailboxStore, OutboxItem } from "../../mailbox/mailbox-store.js";
import type { UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

/** One reply in the outbox of a fresh conversation. */
async function oneReply(store: MailboxStore): Promise<void> {
  const conversationSid = fakeSid("CH");
  await store.ingest(inboundMessage({ conversationSid }));
  const [lease] = await store.claim("worker", 1, 10_000);
  await store.complete(lease!, [textReply("hello")]);
}

/**
 * The mailbox contract: `startSendAttempt` records a send request about to leave, fenced by
 * the claim, and keeps the row leased until the request's deadline — so no one looks for the
 * reply (and resends it) while that request may still land at Twilio.
 */
export function describeSendAttemptContract(use: UseContract): void {
  describe("send attempts in flight (startSendAttempt)", () => {
    it("keeps the row leased until the attempt's deadline, then hands it out to look first", async () => {
      const { store, clock } = use();
      if (store.startSendAttempt === undefined) return;
      await oneReply(store);
      const [item] = await store.claimOutbox("sender-a", 1, 1_000);
      expect(await store.startSendAttempt(item!, clock.now() + 5_000)).toBe(true);
      // Past the claim's own lease, within the attempt's deadline: not handed out.
      clock.advance(2_000);
      expect(await store.claimOutbox("sender-b", 1, 1_000)).toEqual([]);
      clock.advance(3_000);
      const [taken] = await store.claimOutbox("sender-b", 1, 1_000);
      expect(taken).toMatchObject({ id: item!.id, mustReconcile: true });
    });

    it("refuses, writing nothing, once the claim is another's or its lease ran out", async () => {
      const { store, clock } = use();
      if (store.startSendAttempt === undefined) return;
      await oneReply(store);
      const [first] = await store.claimOutbox("sender-a", 1, 1_000);
      clock.advance(1_000);
      // The lease ran out: too late to start sending.
      expect(await store.startSendAttempt(first!, clock.now() + 5_000)).toBe(false);
      const [second] = await store.claimOutbox("sender-b", 1, 1_000);
      expect(second?.id).toBe(first!.id);
      // The first claim is stale: refused, and the second claim's lease is untouched.
      expect(await store.startSendAttempt(first!, clock.now() + 60_000)).toBe(false);
      clock.advance(1_000);
      expect((await store.claimOutbox("sender-c", 1, 1_000))[0]?.id).toBe(first!.id);
    });

    it("does not shorten a lease that ends after the deadline; a new claim starts without one", async () => {
      const { store, clock } = use();
      if (store.startSendAttempt === undefined) return;
      await oneReply(store);
      const [item] = await store.claimOutbox("sender-a", 1, 10_000);
      expect(await store.startSendAttempt(item!, clock.now() + 1_000)).toBe(true);
      clock.advance(5_000);
      expect(await store.claimOutbox("sender-b", 1, 1_000)).toEqual([]);
      clock.advance(5_000);
      const [again] = await store.claimOutbox("sender-b", 1, 1_000);
      expect(again?.id).toBe(item!.id);
      // The attempt deadline belonged to the earlier claim: this one expires with its lease.
      clock.advance(1_000);
      expect((await store.claimOutbox("sender-c", 1, 1_000))[0]?.id).toBe(item!.id);
    });

    it("refuses a malformed item or deadline", async () => {
      const { store, clock } = use();
      if (store.startSendAttempt === undefined) return;
      await oneReply(store);
      const [item] = await store.claimOutbox("sender-a", 1, 10_000);
      const forged = [
        { ...item!, id: 1.5 },
        { ...item!, claimVersion: Number.NaN },
        null as unknown as OutboxItem,
      ];
      for (const bad of forged)
        await expect(store.startSendAttempt(bad, clock.now() + 1_000)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      for (const deadline of [Number.NaN, Number.POSITIVE_INFINITY, "1" as unknown as number])
        await expect(store.startSendAttempt(item!, deadline)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
    });
  });
}
