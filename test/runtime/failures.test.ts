import { afterEach, describe, expect, it } from "vitest";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages, deliverWebhook, runLimited, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function addFault(h: Harness, rule: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${h.emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  if (!response.ok) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/**
 * How often a fault rule fired, from `GET /_emulator/faults`: an armed rule reports its
 * hits; a rule missing from the list retired after firing its `times`.
 */
async function faultHits(h: Harness, id: string, times: number): Promise<number> {
  const response = await fetch(`${h.emulator.url}/_emulator/faults`);
  const { faults } = (await response.json()) as { faults: { id: string; hits: number }[] };
  return faults.find((rule) => rule.id === id)?.hits ?? times;
}

describe("failures", () => {
  it("sends every reply exactly once through 429 storms and ambiguous 500s (invariant 3)", async () => {
    const agent = recordingAgent({ respond: (turn) => `re: ${turn.text}` });
    harness = await startHarness({ agent });
    const h = harness;
    const conversations = await runLimited(
      Array.from(
        { length: 6 },
        (_, conversation) => () =>
          seedSmsConversation(
            h.emulator,
            `+1555200${String(conversation).padStart(4, "0")}`,
            Array.from({ length: 6 }, (_, position) => `c${conversation} m${position}`),
          ),
      ),
      3,
    );
    const sends = { match: { method: "POST", path: "/Messages" } };
    // About a third of the create is committed and then answered 500: the message exists, the
    // sender cannot know. Half of the others are throttled.
    const ambiguousRule = await addFault(h, {
      ...sends,
      fault: { commitThenStatus: 500 },
      rate: 0.35,
      times: 25,
    });
    const throttleRule = await addFault(h, {
      ...sends,
      fault: { status: 429, code: 20429, retryAfter: 0 },
      rate: 0.5,
      times: 60,
    });
    // Listen before the first delivery, so no reconciled send is missed.
    const reconciled: string[] = [];
    h.switchboard.events.on("reply.sent", (event) => {
      if (event.reconciled) reconciled.push(event.replyId);
    });
    await runLimited(
      conversations
        .flat()
        .map((message) => () => deliverWebhook(h.emulator, h.webhookUrl, message)),
      8,
    );
    for (const seeded of conversations) {
      const sid = seeded[0]!.conversationSid;
      const replies = await eventually(
        async () => {
          const found = await botMessages(h.emulator, sid);
          return found.length >= seeded.length ? found : undefined;
        },
        `replies in ${sid}`,
        20_000,
      );
      expect(replies.map((reply) => reply.body)).toEqual(
        seeded.map((message) => `re: ${message.body}`),
      );
      expect(replies.map((reply) => reply.attributes.switchboardReplyId)).toEqual(
        seeded.map((message) => `${message.messageSid}.r0`),
      );
    }
    // The faults really fired: sends were throttled, some committed-then-500, and some
    // replies were found already sent instead of resent.
    expect(await faultHits(h, throttleRule, 60)).toBeGreaterThan(0);
    expect(await faultHits(h, ambiguousRule, 25)).toBeGreaterThan(0);
    expect(reconciled.length).toBeGreaterThan(0);
    // Quiet for a moment: no late duplicate appears.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const seeded of conversations) {
      expect(await botMessages(h.emulator, seeded[0]!.conversationSid)).toHaveLength(seeded.length);
    }
  });

  it("dead-letters a conversation whose agent keeps failing while others go on (invariant 6)", async () => {
    const agent = recordingAgent({
      respond: (turn) => {
        if (turn.text.startsWith("poison")) throw new Error("the model is down for this one");
        return `ok ${turn.text}`;
      },
    });
    harness = await startHarness({ agent, mailbox: { maxAttempts: 3 } });
    const h = harness;
    const deadLetters: { conversationSid: string; reason: string }[] = [];
    h.switchboard.events.on("dead-letter", (event) => deadLetters.push(event));
    const [poison] = await seedSmsConversation(h.emulator, "+15552300001", ["poison pill"]);
    const healthy = await seedSmsConversation(h.emulator, "+15552300002", ["a", "b", "c"]);
    await deliverWebhook(h.emulator, h.webhookUrl, poison!);
    for (const message of healthy) await deliverWebhook(h.emulator, h.webhookUrl, message);

    await eventually(() => (deadLetters.length > 0 ? true : undefined), "the dead letter");
    expect(deadLetters[0]).toMatchObject({
      conversationSid: poison!.conversationSid,
      reason: expect.stringContaining("the model is down for this one"),
    });
    const letters = await h.switchboard.deadLetters();
    expect(letters.map((letter) => [letter.conversationSid, letter.attempts])).toEqual([
      [poison!.conversationSid, 3],
    ]);
    await eventually(
      async () =>
        (await botMessages(h.emulator, healthy[0]!.conversationSid)).length === 3
          ? true
          : undefined,
      "the healthy conversation's replies",
    );
    expect(await botMessages(h.emulator, poison!.conversationSid)).toEqual([]);

    // The operator fixes the cause and retries: the turn runs again and is answered.
    agent.answerWith((turn) => `recovered ${turn.text}`);
    expect(await h.switchboard.retryDeadLetter(poison!.conversationSid)).toBe(true);
    await eventually(
      async () =>
        (await botMessages(h.emulator, poison!.conversationSid)).length === 1 ? true : undefined,
      "the retried reply",
    );
    expect((await botMessages(h.emulator, poison!.conversationSid))[0]!.body).toBe(
      "recovered poison pill",
    );
  });

  it("lets an operator skip a dead-lettered turn; the conversation goes on with the next message", async () => {
    const agent = recordingAgent({
      respond: (turn) => {
        if (turn.text === "poison") throw new Error("cannot answer this");
        return `ok ${turn.text}`;
      },
    });
    harness = await startHarness({ agent, mailbox: { maxAttempts: 2 } });
    const h = harness;
    const seeded = await seedSmsConversation(h.emulator, "+15552300003", ["poison", "next"]);
    for (const message of seeded) await deliverWebhook(h.emulator, h.webhookUrl, message);
    await eventually(
      async () => ((await h.switchboard.deadLetters()).length === 1 ? true : undefined),
      "the dead letter",
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Blocked: the later message waits behind the dead turn (order is never broken).
    expect(await botMessages(h.emulator, seeded[0]!.conversationSid)).toEqual([]);
    expect(await h.switchboard.skipDeadLetter(seeded[0]!.conversationSid)).toBe(true);
    await eventually(
      async () =>
        (await botMessages(h.emulator, seeded[0]!.conversationSid)).length === 1 ? true : undefined,
      "the next reply",
    );
    expect((await botMessages(h.emulator, seeded[0]!.conversationSid))[0]!.body).toBe("ok next");
    expect(await h.switchboard.deadLetters()).toEqual([]);
  });
});
