import { generateText, isStepCount, jsonSchema, type LanguageModel, type ToolSet, tool } from "ai";
import { EmptyModelReplyError } from "./agent-errors.js";
import { boundHistory } from "./bound-history.js";
import { toModelMessages } from "./to-model-messages.js";
import type { Agent, Reply } from "./types.js";

/** Options of {@link aiSdkAgent}. */
export interface AiSdkAgentOptions {
  /** Any AI SDK language model: `openai("…")`, `anthropic("…")`, an OpenAI-compatible server… */
  model: LanguageModel;
  /** The instructions: who the agent is, what it may promise, its tone. */
  system?: string;
  /** Tools the model may call (AI SDK `tool(…)` definitions with `execute`). */
  tools?: ToolSet;
  /** The most model calls per turn, tool round trips included. Default 5. */
  maxSteps?: number;
  /** The most history messages sent to the model. Default 20. */
  maxHistory?: number;
  /** The most characters of history sent to the model. Default 12 000. */
  maxHistoryCharacters?: number;
  /**
   * Give the model a `handoff_to_human` tool; calling it hands the conversation to a
   * person. Default true.
   */
  handoff?: boolean;
  /** Retries of a failed model call inside one turn (the AI SDK's own). Default 2. */
  maxRetries?: number;
  temperature?: number;
  maxOutputTokens?: number;
}

const handoffToolName = "handoff_to_human";

/** Appended to the instructions so replies fit SMS and WhatsApp as well as web chat. */
const channelNote =
  "You are answering customers over SMS, WhatsApp or web chat. Keep answers short and plain; light markdown (bold, lists, links) is fine.";

/**
 * An agent backed by a language model through the Vercel AI SDK (`generateText`). The
 * conversation's recent history goes with every turn, bounded by `maxHistory` messages;
 * the turn's abort signal is passed down, so a lost lease or a shutdown cancels the call.
 *
 * ```ts
 * import { createOpenAI } from "@ai-sdk/openai";
 * const agent = aiSdkAgent({ model: createOpenAI()("gpt-4o-mini"), system: "You are Harbor Bikes' assistant." });
 * ```
 */
export function aiSdkAgent(options: AiSdkAgentOptions): Agent {
  if (options?.model === undefined || options.model === null) {
    throw new TypeError('aiSdkAgent: option "model" is required (an AI SDK language model).');
  }
  const maxSteps = options.maxSteps ?? 5;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(
      `aiSdkAgent: option "maxSteps" must be a positive integer; got ${maxSteps}.`,
    );
  }
  const tools: ToolSet = { ...options.tools };
  if (options.handoff !== false) {
    tools[handoffToolName] = tool({
      description:
        "Hand the conversation to a human member of staff: when the customer asks for a person, or you cannot help. Write a short reason.",
      inputSchema: jsonSchema<{ reason: string }>({
        type: "object",
        properties: { reason: { type: "string", description: "Why a person should take over." } },
        required: ["reason"],
        additionalProperties: false,
      }),
      // No execute: the call ends generation, and the runtime performs the handoff.
    });
  }
  const instructions =
    options.system === undefined ? channelNote : `${options.system}\n\n${channelNote}`;

  return {
    async respond(turn, context): Promise<Reply> {
      const history = boundHistory(context.history, {
        maxMessages: options.maxHistory ?? 20,
        maxCharacters: options.maxHistoryCharacters ?? 12_000,
      });
      const result = await generateText({
        model: options.model,
        instructions,
        messages: toModelMessages(history, turn),
        ...(Object.keys(tools).length === 0 ? {} : { tools }),
        stopWhen: isStepCount(maxSteps),
        abortSignal: context.signal,
        maxRetries: options.maxRetries ?? 2,
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.maxOutputTokens === undefined
          ? {}
          : { maxOutputTokens: options.maxOutputTokens }),
      });
      const text = result.text.trim();
      const handoffCall = result.toolCalls.find((call) => call.toolName === handoffToolName);
      if (handoffCall !== undefined) {
        const input = handoffCall.input as { reason?: unknown } | undefined;
        const reason =
          typeof input?.reason === "string" && input.reason.trim() !== ""
            ? input.reason
            : "The model asked for a person.";
        return text === "" ? { handoff: { reason } } : { handoff: { reason }, text };
      }
      if (text === "") {
        throw new EmptyModelReplyError(
          `The model returned no text (finish reason "${result.finishReason}") for conversation ${turn.conversationSid}.`,
        );
      }
      return { text };
    },
  };
}
