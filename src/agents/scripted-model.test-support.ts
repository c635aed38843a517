import type { LanguageModelMiddleware } from "ai";
import { MockLanguageModelV4 } from "ai/test";

type StepResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>>;

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A model step that answers with text. */
export function textStep(text: string): StepResult {
  return {
    content: [{ type: "text", text }],
    finishReason: { unified: "stop", raw: "stop" },
    usage,
    warnings: [],
  };
}

/** A model step that calls tools; each call gets a fresh id, as real providers do. */
export function toolStep(...calls: { name: string; input: unknown }[]): StepResult {
  return {
    content: calls.map((call) => ({
      type: "tool-call" as const,
      toolCallId: `call_${Math.random().toString(36).slice(2)}`,
      toolName: call.name,
      input: JSON.stringify(call.input),
    })),
    finishReason: { unified: "tool-calls", raw: "tool_calls" },
    usage,
    warnings: [],
  };
}

/**
 * A recording model (the AI SDK's own mock) that answers each call with the next scripted
 * step, or throws the scripted error; it fails loudly when the script runs out.
 */
export function scriptedModel(...steps: (StepResult | Error)[]): MockLanguageModelV4 {
  const remaining = [...steps];
  return new MockLanguageModelV4({
    doGenerate: async () => {
      const next = remaining.shift();
      if (next === undefined) throw new Error("The scripted model has no more steps.");
      if (next instanceof Error) throw next;
      return next;
    },
  });
}
