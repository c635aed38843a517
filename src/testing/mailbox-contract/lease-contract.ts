import { describe, expect, it } from "vitest";
import { replyIdFor } from "../../mailbox/reply-id.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/** The mailbox contract: leases and fencing. */
export function describeLeaseContract(use: UseContract): void {
  describe("leases and fencing", () => {
    it("hands one conversation to one claimer at a time, even when claims race", async () => {
      const { store } = use();
      const sids = Array.from({ length: 6 }, () => fakeSid("CH"));
      for (const conversationSid of sids) {
        await store.ingest(inboundMessage({ conversationSid, index: 0 }));
        await store.ingest(inboundMessage({ conversationSid, index: 1 }));
      }
      const batches = await Promise.all(
        Array.from({ length: 8 }, (_, worker) => store.claim(`worker-${worker}`, 10, leaseMs)),
      );
      const leased = batches.flat().map((lease) => lease.conversationSid);
      expect(leased.sort()).toEqual([...sids].sort());
      expect(await store.claim("late-worker", 10, leaseMs)).toEqual([]);
    });

    it("respects max and hands out the oldest waiting conversations first", async () => {
      const { store, clock } = use();
      const first = fakeSid("CH");
      const second = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: first }));
      clock.advance(5);
      await store.ingest(inboundMessage({ conversationSid: second }));
      const leases = await store.claim("worker-a", 1, leaseMs);
      expect(leases.map((lease) => lease.conversationSid)).toEqual([first]);
    });

    it("fences out a worker whose lease expired and was claimed again", async () => {
      const { store, clock } = use();
      const message = inboundMessage();
      await store.ingest(message);
      const [stale] = await store.claim("worker-a", 1, leaseMs);
      expect(stale).toBeDefined();
      expect(await store.heartbeat(stale!)).toBe(true);
      expect(await store.claim("worker-b", 1, leaseMs)).toEqual([]);

      clock.advance(leaseMs + 1);
      const [fresh] = await store.claim("worker-b", 1, leaseMs);
      expect(fresh?.leaseVersion).toBeGreaterThan(stale!.leaseVersion);
      expect(fresh?.turnId).toBe(stale!.turnId);
      expect(fresh?.attempt).toBe(2);

      expect(await store.heartbeat(stale!)).toBe(false);
      await expect(store.complete(stale!, [textReply("stale")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      await expect(store.fail(stale!, "stale", clock.now())).rejects.toMatchObject({
        code: "lease_lost",
      });
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      expect((await store.conversation(message.conversationSid))?.leaseOwner).toBe("worker-b");

      await store.complete(fresh!, [textReply("fresh")]);
      const [item] = await store.claimOutbox("sender", 10, leaseMs);
      expect(item?.body).toBe("fresh");
    });

    it("fences out an earlier lease of the same worker id (a restarted worker)", async () => {
      const { store, clock } = use();
      await store.ingest(inboundMessage());
      const [before] = await store.claim("worker-a", 1, leaseMs);
      clock.advance(leaseMs);
      const [after] = await store.claim("worker-a", 1, leaseMs);
      expect(after?.leaseVersion).not.toBe(before?.leaseVersion);
      expect(await store.heartbeat(before!)).toBe(false);
      await expect(store.complete(before!, [textReply("stale")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      expect(await store.claimOutbox("sender", 10, leaseMs)).toEqual([]);
      expect(await store.heartbeat(after!)).toBe(true);
    });

    it("extends a lease with heartbeat so it does not expire", async () => {
      const { store, clock } = use();
      await store.ingest(inboundMessage());
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      clock.advance(leaseMs - 1);
      expect(await store.heartbeat(lease!)).toBe(true);
      clock.advance(leaseMs - 1);
      expect(await store.claim("worker-b", 1, leaseMs)).toEqual([]);
      await store.complete(lease!, []);
      expect(await store.heartbeat(lease!)).toBe(false);
    });

    it("never runs a completed turn again, even after its lease would have expired", async () => {
      const { store, clock, harness } = use();
      const message = inboundMessage();
      await store.ingest(message);
      const [lease] = await store.claim("worker-a", 1, leaseMs);
      const { replyIds } = await store.complete(lease!, [textReply("a"), textReply("b")]);
      expect(replyIds).toEqual([replyIdFor(lease!.turnId, 0), replyIdFor(lease!.turnId, 1)]);
      clock.advance(leaseMs * 10);
      const reopened = await harness.reopen();
      expect(await reopened.claim("worker-b", 10, leaseMs)).toEqual([]);
      await expect(reopened.complete(lease!, [textReply("again")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      const items = await reopened.claimOutbox("sender", 10, leaseMs);
      expect(items.map((item) => item.replyId)).toEqual([replyIds[0]]);
    });

    it("gives a turn re-run after a crash the same turn id, hence the same reply ids", async () => {
      const { store, clock, harness } = use();
      await store.ingest(inboundMessage());
      const [crashed] = await store.claim("worker-a", 1, leaseMs);
      clock.advance(leaseMs);
      const reopened = await harness.reopen();
      const [rerun] = await reopened.claim("worker-b", 1, leaseMs);
      expect(rerun?.turnId).toBe(crashed?.turnId);
      const { replyIds } = await reopened.complete(rerun!, [textReply("x"), textReply("y")]);
      expect(replyIds).toEqual([replyIdFor(crashed!.turnId, 0), replyIdFor(crashed!.turnId, 1)]);
    });

    it("ignores forged leases, outbox items and SIDs reused across conversations", async () => {
      const { store, clock } = use();
      const message = inboundMessage({ conversationSid: fakeSid("CH") });
      await store.ingest(message);
      const other = fakeSid("CH");
      expect(await store.ingest({ ...message, conversationSid: other, body: "forged" })).toBe(
        "duplicate",
      );
      expect(await store.conversation(other)).toBeNull();

      const [lease] = await store.claim("worker-a", 1, leaseMs);
      const forged = { ...lease!, leaseVersion: lease!.leaseVersion + 1 };
      expect(await store.heartbeat(forged)).toBe(false);
      await expect(store.complete(forged, [textReply("forged")])).rejects.toMatchObject({
        code: "lease_lost",
      });
      const foreign = { ...lease!, conversationSid: fakeSid("CH") };
      await expect(store.fail(foreign, "forged", clock.now())).rejects.toMatchObject({
        code: "lease_lost",
      });
      await store.complete(lease!, [textReply("real")]);
      const [item] = await store.claimOutbox("sender", 1, leaseMs);
      expect(
        await store.settleOutbox({ ...item!, id: item!.id + 1000 }, { failed: true, error: "x" }),
      ).toBe(false);
      expect(
        await store.settleOutbox(
          { ...item!, claimVersion: item!.claimVersion + 1 },
          {
            failed: true,
            error: "x",
          },
        ),
      ).toBe(false);
      const history = await store.history(message.conversationSid);
      expect(history.map((entry) => entry.body)).toEqual(["message 0", "real"]);
      expect(history[1]).toMatchObject({ status: "sending" });
    });

    it("rejects bad claim arguments", async () => {
      const { store } = use();
      await expect(store.claim("", 1, leaseMs)).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      await expect(store.claim("worker", 0, leaseMs)).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      await expect(store.claim("worker", 1, -5)).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
    });
  });
}
