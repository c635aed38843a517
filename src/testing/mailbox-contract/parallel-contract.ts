import { expect, it } from "vitest";
import { contractSettings, type UseContract } from "./contract-context.js";
import { fakeSid, inboundMessage, textReply } from "./contract-fixtures.js";

const { leaseMs } = contractSettings;

/** The mailbox contract: many conversations at once. */
export function describeParallelContract(use: UseContract): void {
  it("moves many conversations in parallel, each in order and never twice at once", async () => {
    const { store } = use();
    const conversations = Array.from({ length: 30 }, () => fakeSid("CH"));
    const messages = conversations.flatMap((conversationSid) =>
      Array.from({ length: 4 }, (_, index) => inboundMessage({ conversationSid, index })),
    );
    // Deterministic shuffle: arrival order differs from index order.
    messages.sort((a, b) => (a.messageSid.charCodeAt(33) % 7) - (b.messageSid.charCodeAt(33) % 7));
    await Promise.all(messages.map((message) => store.ingest(message)));

    const answered = new Map<string, number[]>();
    const running = new Set<string>();
    let overlaps = 0;
    const worker = async (workerId: string) => {
      for (let idle = 0; idle < 3; ) {
        const leases = await store.claim(workerId, 5, leaseMs);
        if (leases.length === 0) {
          idle += 1;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        idle = 0;
        await Promise.all(
          leases.map(async (lease) => {
            if (running.has(lease.conversationSid)) overlaps += 1;
            running.add(lease.conversationSid);
            await new Promise((resolve) => setImmediate(resolve));
            const list = answered.get(lease.conversationSid) ?? [];
            list.push(...lease.messages.map((message) => message.index));
            answered.set(lease.conversationSid, list);
            // Not running once its completion is sent: a one-round-trip claim in another
            // worker may take the next turn between that commit and this worker hearing of it.
            // Fencing covers the completion itself: had another worker leased the conversation
            // meanwhile, this complete would throw LeaseLostError and fail the test.
            running.delete(lease.conversationSid);
            await store.complete(lease, [textReply("ok")]);
          }),
        );
      }
    };
    await Promise.all(["w1", "w2", "w3", "w4"].map(worker));
    expect(overlaps).toBe(0);
    expect(answered.size).toBe(conversations.length);
    for (const indexes of answered.values()) expect(indexes).toEqual([0, 1, 2, 3]);
  });
}
