import { jsonSchema, tool } from "ai";
import { describe, expect, it } from "vitest";
import { aiSdkAgent } from "./ai-sdk-agent.js";
import { idempotencyKeyOf } from "./durable-ai-turn.js";
import { scriptedModel, textStep, toolStep } from "./scripted-model.test-support.js";
import { inMemoryToolJournal, type ToolJournal } from "./tool-journal.js";
import type { AgentContext, Turn } from "./types.js";

const turn: Turn = {
  conversationSid: "CH00000000000000000000000000000001",
  messages: [
    {
      messageSid: "IM1",
      index: 0,
      body: "Book a bike for Friday",
      media: [],
      dateCreated: new Date(0),
    },
  ],
  text: "Book a bike for Friday",
  channel: "sms",
  author: "+15551230001",
  media: [],
};
const contextWith = (journal: ToolJournal | undefined): AgentContext => ({
  history: [],
  conversation: { sid: turn.conversationSid, channel: "sms", customer: "+15551230001" },
  signal: new AbortController().signal,
  turnId: "turn-1",
  ...(journal === undefined ? {} : { journal }),
});

/** A booking API that counts its effects and remembers the keys it was given. */
function bookingTools() {
  const booked: { day: string; key: string }[] = [];
  const cancelled: string[] = [];
  const tools = {
    book: tool({
      description: "Book a bike",
      inputSchema: jsonSchema<{ day: string }>({
        type: "object",
        properties: { day: { type: "string" } },
        required: ["day"],
      }),
      execute: async (input, options) => {
        booked.push({ day: input.day, key: idempotencyKeyOf(options) });
        return { reference: `R-${booked.length}` };
      },
    }),
    cancel: tool({
      description: "Cancel a booking",
      inputSchema: jsonSchema<{ reference: string }>({
        type: "object",
        properties: { reference: { type: "string" } },
        required: ["reference"],
      }),
      execute: async (input) => {
        cancelled.push(input.reference);
        return { cancelled: true };
      },
    }),
  };
  return { tools, booked, cancelled };
}

describe("aiSdkAgent durable tool steps", () => {
  it("executes each tool once when the same turn runs twice with the same journal", async () => {
    const journal = inMemoryToolJournal();
    const { tools, booked } = bookingTools();
    const first = aiSdkAgent({
      model: scriptedModel(
        toolStep({ name: "book", input: { day: "Friday" } }),
        textStep("Booked R-1."),
      ),
      tools,
      handoff: false,
      maxRetries: 0,
    });
    expect(await first.respond(turn, contextWith(journal))).toEqual({ text: "Booked R-1." });

    // A model might ask differently on a re-run (new call ids, another day), so the
    // journaled tool-calling step is replayed rather than asked again: the model is only
    // asked for the final words, with the journaled booking in its prompt.
    const rerunModel = scriptedModel(textStep("Booked R-1 again."));
    const again = aiSdkAgent({ model: rerunModel, tools, handoff: false, maxRetries: 0 });
    expect(await again.respond(turn, contextWith(journal))).toEqual({ text: "Booked R-1 again." });
    expect(booked).toEqual([{ day: "Friday", key: "turn-1/tool/0/0" }]);
    expect(rerunModel.doGenerateCalls).toHaveLength(1);
    expect(JSON.stringify(rerunModel.doGenerateCalls[0]?.prompt)).toContain("R-1");
    expect([...journal.entries.keys()]).toEqual(["turn-1/model/0", "turn-1/tool/0/0"]);
  });

  it("replays a tool that ran before a crash and asks the model again for the words", async () => {
    const journal = inMemoryToolJournal();
    const { tools, booked } = bookingTools();
    const crashing = aiSdkAgent({
      model: scriptedModel(
        toolStep({ name: "book", input: { day: "Friday" } }),
        new Error("worker died mid-turn"),
      ),
      tools,
      handoff: false,
      maxRetries: 0,
    });
    await expect(crashing.respond(turn, contextWith(journal))).rejects.toThrow("worker died");
    expect(booked).toHaveLength(1);

    const model = scriptedModel(textStep("Your bike is booked: R-1."));
    const rerun = aiSdkAgent({ model, tools, handoff: false, maxRetries: 0 });
    expect(await rerun.respond(turn, contextWith(journal))).toEqual({
      text: "Your bike is booked: R-1.",
    });
    expect(booked).toHaveLength(1);
    // The model saw the journaled result, not a fresh one.
    expect(JSON.stringify(model.doGenerateCalls[0]?.prompt)).toContain("R-1");
  });

  it("runs only the calls that never completed, with the same keys", async () => {
    const journal = inMemoryToolJournal();
    let failNext = true;
    const keys: string[] = [];
    const flaky = tool({
      description: "Charge a card",
      inputSchema: jsonSchema<{ amount: number }>({
        type: "object",
        properties: { amount: { type: "number" } },
      }),
      execute: async (input, options) => {
        keys.push(idempotencyKeyOf(options));
        if (input.amount === 2 && failNext) {
          failNext = false;
          throw new Error("gateway timeout");
        }
        return { charged: input.amount };
      },
    });
    const step = toolStep(
      { name: "charge", input: { amount: 1 } },
      { name: "charge", input: { amount: 2 } },
    );
    const first = aiSdkAgent({
      model: scriptedModel(step, new Error("gave up")),
      tools: { charge: flaky },
      handoff: false,
      maxRetries: 0,
    });
    await expect(first.respond(turn, contextWith(journal))).rejects.toThrow("gave up");
    const second = aiSdkAgent({
      model: scriptedModel(textStep("Charged both.")),
      tools: { charge: flaky },
      handoff: false,
      maxRetries: 0,
    });
    expect(await second.respond(turn, contextWith(journal))).toEqual({ text: "Charged both." });
    // The first call completed once; the failed second one ran again with its same key.
    expect(keys.sort()).toEqual(["turn-1/tool/0/0", "turn-1/tool/0/1", "turn-1/tool/0/1"]);
  });

  it("stops the turn without running further tools when the journal cannot record", async () => {
    // Record #0 is the model step, #1 the booking's result: the lease is lost by then.
    const journal = inMemoryToolJournal({ failRecord: { from: 1 } });
    const { tools, booked, cancelled } = bookingTools();
    const model = scriptedModel(
      toolStep({ name: "book", input: { day: "Friday" } }),
      toolStep({ name: "cancel", input: { reference: "R-1" } }),
      textStep("Done."),
    );
    const agent = aiSdkAgent({ model, tools, handoff: false, maxRetries: 0 });
    await expect(agent.respond(turn, contextWith(journal))).rejects.toMatchObject({
      code: "tool_journal_failed",
      key: "turn-1/tool/0/0",
    });
    expect(booked).toHaveLength(1);
    expect(cancelled).toEqual([]);
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("stops before a tool runs when the journal cannot be read", async () => {
    const { tools, booked } = bookingTools();
    const broken: ToolJournal = {
      get: async () => {
        throw new Error("database gone");
      },
      record: async () => {},
    };
    const agent = aiSdkAgent({
      model: scriptedModel(toolStep({ name: "book", input: { day: "Friday" } }), textStep("x")),
      tools,
      handoff: false,
      maxRetries: 0,
    });
    await expect(agent.respond(turn, contextWith(broken))).rejects.toMatchObject({
      code: "tool_journal_failed",
    });
    expect(booked).toEqual([]);
  });

  it("still passes a key to tools when the runtime gives no journal", async () => {
    const { tools, booked } = bookingTools();
    const agent = aiSdkAgent({
      model: scriptedModel(toolStep({ name: "book", input: { day: "Friday" } }), textStep("ok")),
      tools,
      handoff: false,
      maxRetries: 0,
    });
    await agent.respond(turn, contextWith(undefined));
    expect(booked).toEqual([
      { day: "Friday", key: expect.stringMatching(/^turn-1\/tool\/call\//) },
    ]);
  });

  it("refuses idempotencyKeyOf outside an aiSdkAgent tool", () => {
    expect(() => idempotencyKeyOf({ toolCallId: "x" })).toThrow(/aiSdkAgent/);
  });
});
