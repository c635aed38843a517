import { describe, expect, it } from "vitest";
import { aiSdkAgent } from "./ai-sdk-agent.js";
import { scriptedModel, textStep } from "./scripted-model.test-support.js";
import { extractiveHandoffSummary, summarizeForHandoff } from "./summarize-for-handoff.js";
import type { HistoryMessage, HistoryRole } from "./types.js";

const at = new Date(0);
const line = (role: HistoryRole, text: string): HistoryMessage => ({ role, text, dateCreated: at });

const conversation: HistoryMessage[] = [
  line("customer", "Hi"),
  line("customer", "Do you rent e-bikes?"),
  line("agent", "Yes, 35 EUR a day including a helmet."),
  line("customer", "ok thanks"),
  line("customer", "Can I pay the deposit by card?"),
];

describe("extractiveHandoffSummary", () => {
  it("lists the customer's questions with what was answered and marks the open one", () => {
    expect(extractiveHandoffSummary(conversation)).toBe(
      [
        "Customer: Do you rent e-bikes?",
        "Answered: Yes, 35 EUR a day including a helmet.",
        "Customer (open): Can I pay the deposit by card?",
      ].join("\n"),
    );
  });

  it("credits staff answers and reads voice notes by their transcript", () => {
    const summary = extractiveHandoffSummary([
      {
        role: "customer",
        text: "",
        dateCreated: at,
        media: [{ contentType: "audio/ogg", transcript: "Where is my order A-17?" }],
      },
      line("human", "It left the warehouse today."),
    ]);
    expect(summary).toBe(
      "Customer: [voice note: Where is my order A-17?]\nStaff answered: It left the warehouse today.",
    );
  });

  it("keeps the most recent lines within maxCharacters and says what it left out", () => {
    const long = Array.from({ length: 30 }, (_, position) => [
      line("customer", `Question number ${position} about the rental?`),
      line("agent", `Answer number ${position}, with some detail.`),
    ]).flat();
    const summary = extractiveHandoffSummary(long, { maxCharacters: 200 });
    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary).toMatch(/^\(\d+ earlier lines left out\)/);
    expect(summary).toContain("Answer number 29");
    expect(summary).not.toContain("Question number 0 ");
  });

  it("clips one very long message instead of dropping everything", () => {
    const summary = extractiveHandoffSummary(
      [line("customer", `Why ${"very ".repeat(200)}slow?`)],
      {
        maxCharacters: 100,
      },
    );
    expect(summary.length).toBeLessThanOrEqual(100);
    expect(summary.startsWith("Customer (open): Why very")).toBe(true);
  });

  it("says so when there is nothing to summarize, and validates maxCharacters", () => {
    expect(extractiveHandoffSummary([line("customer", "hi")])).toBe(
      "No questions from the customer yet.",
    );
    expect(() => extractiveHandoffSummary([], { maxCharacters: 5 })).toThrow(/maxCharacters/);
  });
});

describe("summarizeForHandoff", () => {
  it("asks the model once, bounded, and returns its summary", async () => {
    const model = scriptedModel(
      textStep("Wants an e-bike; asked about paying the deposit by card."),
    );
    const summary = await summarizeForHandoff(conversation, { model, maxOutputTokens: 120 });
    expect(summary).toBe("Wants an e-bike; asked about paying the deposit by card.");
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls[0]?.maxOutputTokens).toBe(120);
    expect(JSON.stringify(model.doGenerateCalls[0]?.prompt)).toContain(
      "Customer: Do you rent e-bikes?",
    );
  });

  it("falls back to the extractive summary when the model fails or is too slow", async () => {
    const failing = scriptedModel(new Error("rate limited"));
    expect(await summarizeForHandoff(conversation, { model: failing })).toBe(
      extractiveHandoffSummary(conversation),
    );
    const slow = scriptedModel();
    slow.doGenerate = (options) =>
      new Promise<never>((_, reject) =>
        options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason)),
      );
    const started = Date.now();
    expect(await summarizeForHandoff(conversation, { model: slow, timeoutMs: 50 })).toBe(
      extractiveHandoffSummary(conversation),
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("is what an aiSdkAgent offers the runtime as summarizeForHandoff", async () => {
    const model = scriptedModel(textStep("Customer asks about card deposits."));
    const agent = aiSdkAgent({ model, handoffSummary: { maxCharacters: 60 } });
    const signal = new AbortController().signal;
    expect(await agent.summarizeForHandoff?.(conversation, { signal })).toBe(
      "Customer asks about card deposits.",
    );
  });
});
