import { describe, expect, it } from "vitest";
import { durableStep, turnIdOf } from "./durable-step.js";
import { functionAgent } from "./function-agent.js";
import { inMemoryToolJournal } from "./tool-journal.js";
import type { AgentContext, Turn } from "./types.js";

const turn: Turn = {
  conversationSid: "CH1",
  messages: [
    { messageSid: "IM7", index: 7, body: "refund please", media: [], dateCreated: new Date(0) },
  ],
  text: "refund please",
  channel: "whatsapp",
  author: "whatsapp:+15551230001",
  media: [],
};
const contextWith = (journal = inMemoryToolJournal()): AgentContext => ({
  history: [],
  conversation: { sid: "CH1", channel: "whatsapp", customer: "whatsapp:+15551230001" },
  signal: new AbortController().signal,
  journal,
});

describe("durableStep", () => {
  it("runs a functionAgent's effect once across re-runs of the turn, with one stable key", async () => {
    const refunds: string[] = [];
    const agent = functionAgent(async (current, context) => {
      const first = await durableStep(current, context, "refund", ({ key }) => {
        refunds.push(key);
        return { id: `RF-${refunds.length}` };
      });
      const second = await durableStep(current, context, "refund", ({ key }) => {
        refunds.push(key);
        return { id: `RF-${refunds.length}` };
      });
      return `Refunds ${first.id} and ${second.id}`;
    });
    const journal = inMemoryToolJournal();
    // Each run gets a fresh context object, as the runtime gives each attempt.
    expect(await agent.respond(turn, contextWith(journal))).toEqual({
      text: "Refunds RF-1 and RF-2",
    });
    expect(await agent.respond(turn, contextWith(journal))).toEqual({
      text: "Refunds RF-1 and RF-2",
    });
    expect(refunds).toEqual(["CH1/IM7/step/refund/0", "CH1/IM7/step/refund/1"]);
  });

  it("throws ToolJournalError and runs nothing further when recording fails", async () => {
    const journal = inMemoryToolJournal({ failRecord: { from: 0 } });
    const ran: string[] = [];
    const agent = functionAgent(async (current, context) => {
      await durableStep(current, context, "charge", () => ran.push("charge"));
      await durableStep(current, context, "email", () => ran.push("email"));
      return "done";
    });
    await expect(agent.respond(turn, contextWith(journal))).rejects.toMatchObject({
      code: "tool_journal_failed",
      isRetryable: true,
      key: "CH1/IM7/step/charge/0",
    });
    expect(ran).toEqual(["charge"]);
  });

  it("does not journal a step that threw, so it runs again with the same key", async () => {
    const journal = inMemoryToolJournal();
    const keys: string[] = [];
    const context = contextWith(journal);
    await expect(
      durableStep(turn, context, "book", ({ key }) => {
        keys.push(key);
        throw new Error("timeout");
      }),
    ).rejects.toThrow("timeout");
    await durableStep(turn, contextWith(journal), "book", ({ key }) => keys.push(key));
    expect(keys).toEqual(["CH1/IM7/step/book/0", "CH1/IM7/step/book/0"]);
    expect(journal.entries.size).toBe(1);
  });

  it("prefers the runtime's turn id and refuses an empty name", async () => {
    expect(turnIdOf(turn, { turnId: "T-9" })).toBe("T-9");
    expect(turnIdOf(turn, {})).toBe("CH1/IM7");
    await expect(durableStep(turn, contextWith(), "", () => 1)).rejects.toThrow(/name/);
  });

  it("refuses a result that would not survive the journal's JSON", async () => {
    await expect(durableStep(turn, contextWith(), "bad", () => 1n)).rejects.toMatchObject({
      code: "tool_journal_failed",
    });
  });
});
