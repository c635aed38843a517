import { afterEach, describe, expect, it } from "vitest";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import {
  botMessages,
  deliverWebhook,
  runLimited,
  seedSmsConversation,
  shuffled,
} from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const pendingOutbox = async (h: Harness) => {
  for (const sid of await h.mailbox.knownConversations()) {
    const history = await h.mailbox.history(sid, { limit: 500 });
    if (history.some((entry) => entry.direction === "outbound" && entry.status !== "sent"))
      return true;
    if (history.some((entry) => entry.direction === "inbound" && entry.status === "pending"))
      return true;
  }
  return false;
};

describe("ingest: duplicates and order (invariants 2 and 3)", () => {
  it("answers once when the same webhook arrives three times concurrently", async () => {
    const agent = recordingAgent({ respond: (turn) => `answer to ${turn.text}` });
    harness = await startHarness({ agent });
    const [message] = await seedSmsConversation(harness.emulator, "+15551230001", ["hi there"]);
    const statuses = await Promise.all(
      [0, 1, 2].map((retry) =>
        deliverWebhook(harness!.emulator, harness!.webhookUrl, message!, { retryCount: retry }),
      ),
    );
    expect(statuses).toEqual([200, 200, 200]);
    await eventually(
      async () =>
        (await botMessages(harness!.emulator, message!.conversationSid)).length > 0
          ? true
          : undefined,
      "the reply",
    );
    await eventually(
      async () => ((await pendingOutbox(harness!)) ? undefined : true),
      "idle outbox",
    );
    // A fourth, late redelivery after the answer must not start another turn either.
    expect(await deliverWebhook(harness.emulator, harness.webhookUrl, message!)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.calls).toHaveLength(1);
    const replies = await botMessages(harness.emulator, message!.conversationSid);
    expect(replies.map((reply) => reply.body)).toEqual(["answer to hi there"]);
    expect(replies[0]!.attributes.switchboardReplyId).toBe(`${message!.messageSid}.r0`);
  });

  it("answers 50 conversations × 20 messages, shuffled with duplicates, in order within each", async () => {
    // Each turn yields once, so two turns of one conversation would overlap if they could.
    const running = new Map<string, number>();
    let overlaps = 0;
    let parallel = 0;
    const agent = recordingAgent({
      respond: async (turn) => {
        const now = (running.get(turn.conversationSid) ?? 0) + 1;
        running.set(turn.conversationSid, now);
        if (now > 1) overlaps += 1;
        parallel = Math.max(parallel, [...running.values()].filter((count) => count > 0).length);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running.set(turn.conversationSid, (running.get(turn.conversationSid) ?? 1) - 1);
        return `re: ${turn.text}`;
      },
    });
    harness = await startHarness({
      agent,
      // A missing predecessor is waited for this long; shuffled deliveries all land well
      // within it, so order is decided by Index alone.
      mailbox: { settleWindowMs: 10_000 },
      switchboard: {
        workers: {
          concurrency: 16,
          sendConcurrency: 16,
          leaseMs: 5000,
          heartbeatMs: 1000,
          pollMs: 50,
          retryBaseMs: 20,
          sendRetryBaseMs: 20,
        },
      },
    });
    const h = harness;
    const conversations = await runLimited(
      Array.from(
        { length: 50 },
        (_, conversation) => () =>
          seedSmsConversation(
            h.emulator,
            `+1555100${String(conversation).padStart(4, "0")}`,
            Array.from({ length: 20 }, (_, position) => `c${conversation} m${position}`),
          ),
      ),
      8,
    );
    const all = conversations.flat();
    const duplicates = shuffled(all, 7).slice(0, 250);
    const deliveries = shuffled([...all, ...duplicates], 42);
    const statuses = await runLimited(
      deliveries.map((message) => () => deliverWebhook(h.emulator, h.webhookUrl, message)),
      24,
    );
    expect(statuses.every((status) => status === 200)).toBe(true);

    await eventually(() => (agent.calls.length >= 1000 ? true : undefined), "1000 turns", 60_000);
    await eventually(
      async () => ((await pendingOutbox(h)) ? undefined : true),
      "idle outbox",
      60_000,
    );
    expect(agent.calls).toHaveLength(1000);
    expect(overlaps).toBe(0);
    // Different conversations did run at the same time.
    expect(parallel).toBeGreaterThan(1);

    for (const seeded of conversations) {
      const sid = seeded[0]!.conversationSid;
      const turns = agent.calls.filter((call) => call.turn.conversationSid === sid);
      expect(turns.map((call) => call.turn.messages[0]!.index)).toEqual(
        seeded.map((message) => message.index),
      );
      const replies = await botMessages(h.emulator, sid);
      expect(replies.map((reply) => reply.body)).toEqual(
        seeded.map((message) => `re: ${message.body}`),
      );
    }
    // Its own timeout: the inner waits (60 s each) must be able to run out first.
  }, 120_000);
});
