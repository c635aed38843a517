import { describe, expect, it } from "vitest";
import type { MailboxStore } from "../../mailbox/mailbox-store.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, settleWindowMs, maxAttempts } = contractSettings;

/** Puts one reply of a new conversation in the outbox; returns the conversation. */
async function oneReply(store: MailboxStore): Promise<string> {
  const conversationSid = fakeSid("CH");
  await store.ingest(inboundMessage({ conversationSid, index: 0 }));
  const [lease] = await store.claim("worker-a", 1, leaseMs);
  await store.complete(lease!, [textReply("hello")]);
  return conversationSid;
}

/**
 * The mailbox contract where two stores could drift: the typed send state of outbox rows, and
 * the edges of the turn rules (exact window ends, the settle rule inside a burst, stale and
 * repeated settles) — each checked on every store, so a rule written differently shows here.
 */
export function describeDriftContract(use: UseContract): void {
  describe("send state and rule edges", () => {
    it("keeps a reply's send state as typed fields: 429s, last outcome, reconcile state", async () => {
      const { store, clock } = use();
      await oneReply(store);
      const [fresh] = await store.claimOutbox("sender", 1, leaseMs);
      expect(fresh).toMatchObject({
        attempt: 1,
        throttledCount: 0,
        lastOutcome: null,
        mustReconcile: false,
      });
      // A 429 after an unsent try: counted as throttled, nothing to look up.
      await store.settleOutbox(fresh!, {
        retryAt: clock.now(),
        error: "HTTP 429",
        throttled: true,
        outcome: "unsent",
      });
      const [afterThrottle] = await store.claimOutbox("sender", 1, leaseMs);
      expect(afterThrottle).toMatchObject({
        attempt: 1,
        throttledCount: 1,
        lastOutcome: "unsent",
        mustReconcile: false,
        lastError: "HTTP 429",
      });
      // A timeout: the next try must look for the reply first.
      await store.settleOutbox(afterThrottle!, {
        retryAt: clock.now(),
        error: "timeout",
        outcome: "ambiguous",
      });
      const [afterTimeout] = await store.claimOutbox("sender", 1, leaseMs);
      expect(afterTimeout).toMatchObject({
        attempt: 2,
        throttledCount: 1,
        lastOutcome: "ambiguous",
        mustReconcile: true,
        lastError: "timeout",
      });
      // A retry that says nothing is ambiguous: unknown means look first.
      await store.settleOutbox(afterTimeout!, { retryAt: clock.now(), error: "reset" });
      const [unknown] = await store.claimOutbox("sender", 1, leaseMs);
      expect(unknown).toMatchObject({ attempt: 3, lastOutcome: "ambiguous", mustReconcile: true });
      // The lookup found nothing and the try was refused unsent: no lookup next time.
      await store.settleOutbox(unknown!, {
        retryAt: clock.now(),
        error: "circuit open",
        outcome: "unsent",
      });
      const [clean] = await store.claimOutbox("sender", 1, leaseMs);
      expect(clean).toMatchObject({ attempt: 4, lastOutcome: "unsent", mustReconcile: false });
    });

    it("marks a reply whose claim expired (a crashed sender) for reconciliation", async () => {
      const { store, clock } = use();
      await oneReply(store);
      const [first] = await store.claimOutbox("sender-a", 1, leaseMs);
      expect(first?.mustReconcile).toBe(false);
      clock.advance(leaseMs);
      const [reclaimed] = await store.claimOutbox("sender-b", 1, leaseMs);
      expect(reclaimed).toMatchObject({
        attempt: 2,
        mustReconcile: true,
        lastErrorThrottled: false,
      });
      // Found already sent: recorded as a fact, and nothing is left to reconcile.
      expect(await store.settleOutbox(reclaimed!, { sent: true, messageSid: fakeSid("IM") })).toBe(
        true,
      );
      expect(await store.claimOutbox("sender-b", 1, leaseMs)).toEqual([]);
    });

    it("answers a repeated sent settle true, a stale retry false, and rejects a bad outcome", async () => {
      const { store, clock } = use();
      await oneReply(store);
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      await expect(
        store.settleOutbox(item!, { retryAt: clock.now(), error: "x", outcome: "maybe" as never }),
      ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      const sent = { sent: true, messageSid: fakeSid("IM") } as const;
      expect(await store.settleOutbox(item!, sent)).toBe(true);
      expect(await store.settleOutbox(item!, sent)).toBe(true);
      expect(await store.settleOutbox(item!, { retryAt: clock.now(), error: "late" })).toBe(false);
      expect(await store.settleOutbox(item!, { failed: true, error: "late" })).toBe(false);
      const history = await store.history(item!.conversationSid);
      expect(history.at(-1)).toMatchObject({ direction: "outbound", status: "sent" });
    });

    it("hands out a message at exactly the settle window's end, not a millisecond before", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 2 }));
      clock.advance(settleWindowMs - 1);
      expect(await store.claim("worker-a", 1, leaseMs)).toEqual([]);
      clock.advance(1);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual([2]);
    });

    it("takes a burst at exactly its window's end, with the settle rule inside it", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.setPolicy(conversationSid, { mode: "burst", windowMs: 1_000 });
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      // Index 3 follows a gap (2 is missing) but has waited its settle window by the end.
      clock.advance(500);
      await store.ingest(inboundMessage({ conversationSid, index: 3 }));
      clock.advance(499);
      expect(await store.claim("worker-a", 1, leaseMs)).toEqual([]);
      clock.advance(1);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      expect(lease?.messages.map((message) => message.index)).toEqual([0, 1, 3]);
      expect(lease?.messages.every((message) => !message.late)).toBe(true);
    });

    it("dead-letters on the last failed attempt with the failure as the reason", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid, index: 0 }));
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const [lease] = await store.claim("worker-a", 1, leaseMs);
        expect(lease?.attempt).toBe(attempt);
        outcomes.push(await store.fail(lease!, `failure ${attempt}`, clock.now()));
      }
      expect(outcomes).toEqual([...Array(maxAttempts - 1).fill("backoff"), "dead"]);
      expect(await store.deadLetters()).toEqual([
        expect.objectContaining({
          conversationSid,
          reason: `failure ${maxAttempts}`,
          attempts: maxAttempts,
          deadAt: clock.now(),
        }),
      ]);
    });
  });
}
