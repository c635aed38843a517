import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../src/agents/types.js";
import { eventually, fastWorkers, type Harness, startHarness } from "./runtime-harness.js";
import { deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** An agent whose every call waits for its own gate (or its signal). */
function gatedAgent() {
  const calls: { signal: AbortSignal; open: () => void; settled: boolean }[] = [];
  const agent: Agent = {
    respond(turn, context) {
      return new Promise((resolve, reject) => {
        const call = {
          signal: context.signal,
          settled: false,
          open: () => {
            call.settled = true;
            resolve({ text: `re: ${turn.text}` });
          },
        };
        context.signal.addEventListener("abort", () => {
          call.settled = true;
          reject(context.signal.reason);
        });
        calls.push(call);
      });
    },
  };
  return { agent, calls };
}

describe("a lease re-claimed by the same process", () => {
  it("stop() still aborts and waits for the newer run after the older run ends", async () => {
    let skewMs = 0;
    const { agent, calls } = gatedAgent();
    harness = await startHarness({
      agent,
      // The mailbox's clock jumps past the lease while the first run is still thinking.
      mailbox: { now: () => Date.now() + skewMs },
      // No heartbeat during the test, so nothing extends the lease.
      switchboard: {
        workers: { ...fastWorkers, leaseMs: 60_000, heartbeatMs: 50_000, drainMs: 100 },
      },
    });
    const h = harness;
    const [message] = await seedSmsConversation(h.emulator, "+15552500001", ["slow"]);
    expect(await deliverWebhook(h.emulator, h.webhookUrl, message!)).toBe(200);
    await eventually(() => (calls.length === 1 ? true : undefined), "the first run");

    skewMs = 61_000;
    await eventually(() => (calls.length === 2 ? true : undefined), "the re-claimed run");
    // The older run ends (its answer is fenced out); the newer one is still thinking.
    calls[0]!.open();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls[1]!.settled).toBe(false);

    await h.switchboard.close();
    // close() took the newer run back: its agent was told to stop, and it has stopped.
    expect(calls[1]!.signal.aborted).toBe(true);
    expect(calls[1]!.settled).toBe(true);
  });
});
