import { afterEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import type { RuntimeProvider } from "../../src/runtime/runtime-provider.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";
import { eventually, fastWorkers, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages, deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function addFault(h: Harness, rule: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${h.emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  if (!response.ok) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
}

/** Rules still armed: a rule with `times` retires once it fired that often. */
async function armedFaults(h: Harness): Promise<unknown[]> {
  const response = await fetch(`${h.emulator.url}/_emulator/faults`);
  return ((await response.json()) as { faults: unknown[] }).faults;
}

/**
 * The real provider, counting the runtime's message listings (the reconcile lookups). It
 * does not retry by itself, so every 429 reaches the outbox sender.
 */
function countingProvider(emulator: Emulator, counts: { listings: number }): RuntimeProvider {
  const provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    resilience: { maxAttempts: 1 },
  });
  return {
    start: () => provider.start(),
    sendMessage: (conversationId, message) => provider.sendMessage(conversationId, message),
    listMessages(conversationId, options) {
      counts.listings += 1;
      return provider.listMessages(conversationId, options);
    },
  };
}

const sends = { match: { method: "POST", path: "/Messages" } };
const throttle = { status: 429, code: 20429, retryAfter: 0 };

async function startWithOneMessage(
  workers: Record<string, number>,
  counts: { listings: number },
): Promise<{ h: Harness; deliver: () => Promise<number>; conversationSid: string }> {
  const agent = recordingAgent({ respond: (turn) => `re: ${turn.text}` });
  harness = await startHarness({
    agent,
    switchboard: { workers: { ...fastWorkers, ...workers } },
    provider: (emulator) => countingProvider(emulator, counts),
  });
  const h = harness;
  const [message] = await seedSmsConversation(h.emulator, "+15552400001", ["hello"]);
  return {
    h,
    deliver: () => deliverWebhook(h.emulator, h.webhookUrl, message!),
    conversationSid: message!.conversationSid,
  };
}

describe("outbox under throttling", () => {
  it("delivers a reply exactly once after a 429 storm longer than the attempt budget and one 5xx", async () => {
    const counts = { listings: 0 };
    const { h, deliver, conversationSid } = await startWithOneMessage(
      { maxSendAttempts: 3, sendReconcileDelayMs: 20 },
      counts,
    );
    const failed: string[] = [];
    const sent: { reconciled: boolean }[] = [];
    h.switchboard.events.on("reply.failed", (event) => failed.push(event.reason));
    h.switchboard.events.on("reply.sent", (event) => sent.push(event));
    // Six 429s (twice the budget of 3), then a 500 that wrote nothing: only a resend delivers.
    await addFault(h, { ...sends, fault: throttle, times: 6 });
    await addFault(h, { ...sends, fault: { status: 500 }, times: 1 });
    expect(await deliver()).toBe(200);

    await eventually(
      () => (sent.length > 0 || failed.length > 0 ? true : undefined),
      "the reply's outcome",
    );
    expect(failed).toEqual([]);
    expect(sent).toEqual([expect.objectContaining({ reconciled: false })]);
    expect(await armedFaults(h)).toEqual([]); // every fault fired
    const replies = await botMessages(h.emulator, conversationSid);
    expect(replies.map((reply) => reply.body)).toEqual(["re: hello"]);
    // Looked up once, after the ambiguous 500; never after a 429.
    expect(counts.listings).toBe(1);
  });

  it("does not list messages after a plain 429 (a throttled request is never processed)", async () => {
    const counts = { listings: 0 };
    const { h, deliver, conversationSid } = await startWithOneMessage({}, counts);
    const sent: { reconciled: boolean }[] = [];
    h.switchboard.events.on("reply.sent", (event) => sent.push(event));
    await addFault(h, { ...sends, fault: throttle, times: 3 });
    expect(await deliver()).toBe(200);
    await eventually(() => (sent.length > 0 ? true : undefined), "the reply");
    expect(await armedFaults(h)).toEqual([]);
    expect(counts.listings).toBe(0);
    expect(await botMessages(h.emulator, conversationSid)).toHaveLength(1);
  });

  it("retries a reconcile lookup that was throttled after the pause, not after the lease", async () => {
    const counts = { listings: 0 };
    // A lease far longer than the wait below: a row left `sending` would not come back in time.
    const { h, deliver, conversationSid } = await startWithOneMessage(
      { leaseMs: 120_000, sendReconcileDelayMs: 20 },
      counts,
    );
    const sent: { reconciled: boolean }[] = [];
    const errors: unknown[] = [];
    h.switchboard.events.on("reply.sent", (event) => sent.push(event));
    h.switchboard.events.on("error", (event) => errors.push(event.error));
    // The create is committed but answered 500; the first lookup is throttled.
    await addFault(h, { ...sends, fault: { commitThenStatus: 500 }, times: 1 });
    await addFault(h, { match: { method: "GET", path: "/Messages" }, fault: throttle, times: 1 });
    expect(await deliver()).toBe(200);

    await eventually(() => (sent.length > 0 ? true : undefined), "the reconciled reply");
    expect(sent).toEqual([expect.objectContaining({ reconciled: true })]);
    expect(errors).toEqual([]);
    expect(await armedFaults(h)).toEqual([]);
    expect(counts.listings).toBe(2);
    expect(await botMessages(h.emulator, conversationSid)).toHaveLength(1);
  });
});
