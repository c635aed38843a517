import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import type { Agent } from "../../src/agents/types.js";
import { createRuntimeConsoleDeps } from "../../src/console/adapter/runtime-console-deps.js";
import type { SwitchboardEventMap } from "../../src/runtime/switchboard-events.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

type HandoffEvent = SwitchboardEventMap["handoff.summary"];

async function withHandoffs(agent: Agent): Promise<{ h: Harness; handoffs: HandoffEvent[] }> {
  harness = await startHarness({ agent });
  const handoffs: HandoffEvent[] = [];
  harness.switchboard.events.on("handoff.summary", (event) => handoffs.push(event));
  return { h: harness, handoffs };
}

describe("handoff with a summary", () => {
  it("summarizes a keyword handoff extractively, keeps it with the handoff and emits it", async () => {
    const { h, handoffs } = await withHandoffs(
      functionAgent(async (turn) =>
        turn.text.includes("deposit") ? "The deposit is 50 EUR, by card." : "Hello!",
      ),
    );
    const customer = h.emulator.customer({ channel: "sms", address: "+15551230101" });
    const { conversationSid } = await customer.send("How much is the deposit for a bike?");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "answer");
    await customer.send("Can I pay it in cash instead?");
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "answer 2");
    await customer.send("human");
    const event = await eventually(() => handoffs[0], "handoff event");
    expect(event).toMatchObject({ conversationSid, source: "keyword", reason: "keyword" });
    expect(event.summary).toContain("Customer: How much is the deposit for a bike?");
    expect(event.summary).toContain("Answered: The deposit is 50 EUR, by card.");
    expect(event.summary).toContain("Can I pay it in cash instead?");
    const note = await h.mailbox.handoffNote(conversationSid);
    expect(note).toMatchObject({ source: "keyword", summary: event.summary });

    // The console shows it with the conversation, and the age of the wait.
    const console = createRuntimeConsoleDeps({
      switchboard: h.switchboard,
      info: { mode: "serve", channels: ["sms"], numbers: {} },
      sendAsHuman: async () => ({}),
    });
    const transcript = await console.transcript(conversationSid);
    expect(transcript?.conversation).toMatchObject({
      state: "human",
      handoff: {
        source: "keyword",
        summary: event.summary,
        since: new Date(note!.startedAt).toISOString(),
      },
    });
    expect(event.since).toBe(note!.startedAt);
  });

  it("uses the agent's own summary when its handoff reply carries one (bounded)", async () => {
    const { h, handoffs } = await withHandoffs(
      functionAgent(async () => ({
        handoff: {
          reason: "refund over the limit",
          summary: `Refund of 900 EUR. ${"x".repeat(900)}`,
        },
        text: "A colleague will take it from here.",
      })),
    );
    const customer = h.emulator.customer({ channel: "sms", address: "+15551230102" });
    const { conversationSid } = await customer.send("I want my 900 EUR back");
    const event = await eventually(() => handoffs[0], "handoff event");
    expect(event).toMatchObject({ source: "agent", reason: "refund over the limit" });
    expect(event.summary.startsWith("Refund of 900 EUR.")).toBe(true);
    expect([...event.summary].length).toBe(600);
    expect((await h.mailbox.handoffNote(conversationSid))?.summary).toBe(event.summary);
  });

  it("asks the agent's summarizeForHandoff on an operator takeover, and falls back when it fails", async () => {
    const summarized: number[] = [];
    const agent: Agent = {
      respond: async (turn) => ({ text: `re: ${turn.text}` }),
      async summarizeForHandoff(history) {
        summarized.push(history.length);
        if (summarized.length > 1) throw new Error("model unavailable");
        return "  Wants a tandem for Sunday; told we have two.  ";
      },
    };
    const { h, handoffs } = await withHandoffs(agent);
    const customer = h.emulator.customer({ channel: "sms", address: "+15551230103" });
    const { conversationSid } = await customer.send("Do you have a tandem for Sunday?");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "answer");
    await h.switchboard.handoff(conversationSid);
    expect(handoffs[0]).toMatchObject({
      source: "operator",
      summary: "Wants a tandem for Sunday; told we have two.",
    });
    expect(summarized).toEqual([2]);
    await h.switchboard.release(conversationSid);
    await h.switchboard.handoff(conversationSid, "second look");
    // The summarizer threw: the extractive summary stands in, and the handoff happened.
    expect(handoffs[1]?.summary).toBe(
      "Customer: Do you have a tandem for Sunday?\nAnswered: re: Do you have a tandem for Sunday?",
    );
    expect((await h.mailbox.conversation(conversationSid))?.state).toBe("handoff");
  });
});
