import { describe, expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/**
 * The mailbox contract: recovery after a process that held leases is gone. A store opened
 * over the same storage (the restarted process) must not wait out the leases the previous
 * store left behind; the store clock does not move in these cases.
 */
export function describeRecoveryContract(use: UseContract): void {
  describe("recovery", () => {
    it("takes over the turn and send leases a closed store left, without waiting them out", async () => {
      const { store, harness } = use();
      const replied = fakeSid("CH");
      const waiting = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: replied }));
      const [done] = await store.claim("worker-a", 1, leaseMs);
      await store.complete(done!, [textReply("hello")]);
      await store.ingest(inboundMessage({ conversationSid: waiting }));
      const [held] = await store.claim("worker-a", 1, leaseMs);
      const [sending] = await store.claimOutbox("sender-a", 1, leaseMs);
      expect(held?.conversationSid).toBe(waiting);
      expect(sending?.conversationSid).toBe(replied);

      const reopened = await harness.reopen();
      const [turn] = await reopened.claim("worker-b", 5, leaseMs);
      // The earlier lease counts as a try, as an expired one does.
      expect(turn).toMatchObject({ conversationSid: waiting, workerId: "worker-b", attempt: 2 });
      const [send] = await reopened.claimOutbox("sender-b", 5, leaseMs);
      // The earlier send may have reached Twilio: the next try looks first.
      expect(send).toMatchObject({ replyId: sending!.replyId, attempt: 2, mustReconcile: true });
    });
  });
}
