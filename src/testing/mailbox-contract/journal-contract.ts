import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs, maxAttempts, day } = contractSettings;

/** The mailbox contract: the tool journal, fenced by the lease and collected with its turn. */
export function describeJournalContract(use: UseContract): void {
  describe("tool journal", () => {
    it("replays a recorded step to the next holder of the same turn, after a crash", async () => {
      const { store, clock, harness } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      const [first] = await store.claim("worker-a", 1, leaseMs);
      const key = `${first!.turnId}/tool/0/call-1`;
      expect(await store.journalGet(first!, key)).toBeUndefined();
      await store.journalRecord(first!, key, {
        name: "book",
        value: { reference: "B-1", nested: [1, "two", null] },
      });
      // The worker dies; its lease expires and another worker takes the same turn.
      const reopened = await harness.reopen();
      clock.advance(leaseMs + 1);
      const [second] = await reopened.claim("worker-b", 1, leaseMs);
      expect(second?.turnId).toBe(first!.turnId);
      expect(await reopened.journalGet(second!, key)).toEqual({
        name: "book",
        value: { reference: "B-1", nested: [1, "two", null] },
      });
      expect(await reopened.journalGet(second!, `${first!.turnId}/tool/0/call-2`)).toBeUndefined();
    });

    it("refuses to journal for a worker that lost its lease, writing nothing", async () => {
      const { store, clock } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      const [stale] = await store.claim("worker-a", 1, leaseMs);
      clock.advance(leaseMs + 1);
      const [current] = await store.claim("worker-b", 1, leaseMs);
      const key = `${stale!.turnId}/tool/0/call-1`;
      await expect(
        store.journalRecord(stale!, key, { name: "book", value: "from the stale worker" }),
      ).rejects.toMatchObject({ code: "lease_lost" });
      expect(await store.journalGet(current!, key)).toBeUndefined();
      // A handoff takes the turn away too.
      await store.setHandoff(current!.conversationSid, true);
      await expect(
        store.journalRecord(current!, key, { name: "book", value: "after the handoff" }),
      ).rejects.toMatchObject({ code: "lease_lost" });
    });

    it("keeps the first value of a key recorded twice", async () => {
      const { store } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      const key = `${lease!.turnId}/step/refund/0`;
      await store.journalRecord(lease!, key, { name: "refund", value: 1 });
      await store.journalRecord(lease!, key, { name: "refund", value: 2 });
      expect(await store.journalGet(lease!, key)).toEqual({ name: "refund", value: 1 });
    });

    it("stores a step that returned nothing as null, and keys per conversation", async () => {
      const { store } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), index: 0 }));
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), index: 0 }));
      const [a, b] = await store.claim("worker-a", 2, leaseMs);
      await store.journalRecord(a!, "same-key", { name: "notify", value: undefined });
      expect(await store.journalGet(a!, "same-key")).toEqual({ name: "notify", value: null });
      expect(await store.journalGet(b!, "same-key")).toBeUndefined();
    });

    it("rejects a bad key, name or value with MailboxInputError, writing nothing", async () => {
      const { store } = use();
      await store.ingest(inboundMessage({ conversationSid: fakeSid("CH") }));
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      const invalid = { code: "invalid_mailbox_input" };
      await expect(store.journalRecord(lease!, "", { name: "x", value: 1 })).rejects.toMatchObject(
        invalid,
      );
      await expect(
        store.journalRecord(lease!, "k".repeat(513), { name: "x", value: 1 }),
      ).rejects.toMatchObject(invalid);
      await expect(store.journalRecord(lease!, "k", { name: "", value: 1 })).rejects.toMatchObject(
        invalid,
      );
      await expect(
        store.journalRecord(lease!, "k", { name: "x", value: 10n as unknown }),
      ).rejects.toMatchObject({ ...invalid, field: "value" });
      await expect(
        store.journalRecord(lease!, "k", { name: "x", value: "v".repeat(300_000) }),
      ).rejects.toMatchObject({ ...invalid, field: "value" });
      expect(await store.journalGet(lease!, "k")).toBeUndefined();
    });

    it("collects journal rows with their turn, but keeps a pending turn's journal", async () => {
      const { store, clock } = use();
      const done = inboundMessage({ conversationSid: fakeSid("CH") });
      const waiting = inboundMessage({ conversationSid: fakeSid("CH") });
      await store.ingest(done);
      await store.ingest(waiting);
      const leases = await store.claim("worker-a", 2, leaseMs);
      const doneLease = leases.find((lease) => lease.conversationSid === done.conversationSid)!;
      const waitingLease = leases.find(
        (lease) => lease.conversationSid === waiting.conversationSid,
      )!;
      await store.journalRecord(doneLease, "done-key", { name: "book", value: 1 });
      await store.journalRecord(waitingLease, "waiting-key", { name: "book", value: 2 });
      await store.complete(doneLease, [textReply("booked")]);
      // The other turn fails until it is a dead letter: still pending, its journal stays.
      let lease = waitingLease;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        await store.fail(lease, "model down", clock.now());
        if (attempt < maxAttempts)
          [lease] = (await store.claim("worker-a", 1, leaseMs)) as [typeof lease];
      }
      clock.advance(2 * day);
      const removed = await store.collectGarbage({ olderThanMs: day });
      expect(removed.journal).toBe(1);
      expect(await store.journalGet(doneLease, "done-key")).toBeUndefined();
      expect(await store.journalGet(waitingLease, "waiting-key")).toEqual({
        name: "book",
        value: 2,
      });
      expect(await store.retryDeadLetter(waiting.conversationSid)).toBe(true);
      const [retried] = await store.claim("worker-b", 1, leaseMs);
      expect(await store.journalGet(retried!, "waiting-key")).toMatchObject({ value: 2 });
    });
  });
}

/** The mailbox contract: the handoff note the console and the waiting queue read. */
export function describeHandoffNoteContract(use: UseContract): void {
  describe("handoff note", () => {
    it("keeps the latest note with the store's time, durably", async () => {
      const { store, clock, harness } = use();
      const conversationSid = fakeSid("CH");
      expect(await store.handoffNote(conversationSid)).toBeNull();
      const first = await store.noteHandoff(conversationSid, {
        reason: "customer asked",
        source: "keyword",
        summary: "Customer: where is my bike?",
      });
      expect(first.startedAt).toBe(clock.now());
      clock.advance(60_000);
      await store.noteHandoff(conversationSid, {
        reason: "operator",
        source: "operator",
        summary: "Customer (open): refund?",
      });
      const reopened = await harness.reopen();
      expect(await reopened.handoffNote(conversationSid)).toEqual({
        reason: "operator",
        source: "operator",
        summary: "Customer (open): refund?",
        startedAt: clock.now(),
        releasedAt: null,
        releasedBy: null,
      });
    });

    it("lists the waiting queue longest first, and notes when a conversation went back", async () => {
      const { store, clock } = use();
      const [early, late, back] = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      for (const sid of [late, early, back]) await store.setHandoff(sid, true);
      await store.noteHandoff(early, { reason: "keyword", source: "keyword", summary: "a" });
      clock.advance(1_000);
      await store.noteHandoff(back, { reason: "agent", source: "agent", summary: "b" });
      clock.advance(1_000);
      await store.noteHandoff(late, { reason: "refund", source: "agent", summary: "c" });
      clock.advance(1_000);
      await store.setHandoff(back, false);
      expect(await store.noteHandoffReleased(back, "timeout")).toBe(true);
      expect(await store.noteHandoffReleased(fakeSid("CH"), "operator")).toBe(false);

      const waiting = await store.waitingForPerson();
      expect(waiting.map((entry) => [entry.conversationSid, entry.summary])).toEqual([
        [early, "a"],
        [late, "c"],
      ]);
      expect(await store.waitingForPerson({ limit: 1 })).toHaveLength(1);
      await expect(store.waitingForPerson({ limit: 0 })).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      expect(await store.handoffNote(back)).toMatchObject({
        releasedAt: clock.now(),
        releasedBy: "timeout",
      });
      // A new handoff starts a new note: no longer released.
      await store.noteHandoff(back, { reason: "again", source: "operator", summary: "d" });
      expect(await store.handoffNote(back)).toMatchObject({ releasedAt: null, releasedBy: null });
    });

    it("rejects a note without a reason, with an unknown source or an overlong summary", async () => {
      const { store } = use();
      const conversationSid = fakeSid("CH");
      for (const note of [
        { reason: "", source: "agent", summary: "" },
        { reason: "r", source: "robot", summary: "" },
        { reason: "r", source: "agent", summary: "s".repeat(2_001) },
      ])
        await expect(
          store.noteHandoff(conversationSid, note as Parameters<typeof store.noteHandoff>[1]),
        ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      expect(await store.handoffNote(conversationSid)).toBeNull();
    });
  });
}
