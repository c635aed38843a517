import {
  type LanguageModel,
  type LanguageModelMiddleware,
  type ToolSet,
  wrapLanguageModel,
} from "ai";
import { ToolJournalError } from "./agent-errors.js";
import { runJournaled } from "./durable-step.js";
import type { ToolJournal } from "./tool-journal.js";

/** One model step's result, as the AI SDK's middleware sees it. */
type ModelStepResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>>;

/** Options of a tool's `execute` as an `aiSdkAgent` calls it: the AI SDK's plus the key. */
const keyProperty = "idempotencyKey";

/**
 * The idempotency key of the tool call being executed, from the options `aiSdkAgent`
 * passes to a tool's `execute`. Stable across re-runs of the turn, so forward it to APIs
 * that accept one:
 *
 * ```ts
 * const book = tool({ inputSchema, execute: (input, options) =>
 *   rentals.book({ ...input, idempotencyKey: idempotencyKeyOf(options) }) });
 * ```
 */
export function idempotencyKeyOf(options: object): string {
  const key = (options as Record<string, unknown>)[keyProperty];
  if (typeof key !== "string") {
    throw new TypeError(
      "idempotencyKeyOf: these tool options carry no idempotency key; only tools run by aiSdkAgent get one.",
    );
  }
  return key;
}

/** A turn's model and tools, journaled; see {@link durableAiTurn}. */
export interface DurableAiTurn {
  model: LanguageModel;
  tools: ToolSet;
  /** Aborted when the journal fails, and when the turn's own signal aborts. */
  signal: AbortSignal;
  /** The journal failure that stopped the turn, if any: rethrow it after generation. */
  failure(): ToolJournalError | undefined;
}

/**
 * Makes one `generateText` turn durable. Keys are positional — `<turn>/tool/<step>/<call>`
 * (the model step, the call's position in that step) — rather than the model's
 * `toolCallId`, which a provider invents anew on every call. Positions only mean the same
 * thing on a re-run if the model asks the same thing again, which a model does not
 * promise; so each model step that asked for tools is journaled too
 * (`<turn>/model/<step>`) and replayed on a re-run. The re-run then sees the very same
 * tool calls, replays their journaled results, and executes only the calls that never
 * completed — with the same keys. A final text-only step is not journaled, so a retry
 * still asks the model afresh for the words.
 *
 * Model ids given as strings (the AI SDK gateway) cannot be wrapped: their steps are not
 * journaled, tool results still are.
 */
export function durableAiTurn(options: {
  model: LanguageModel;
  tools: ToolSet;
  turnId: string;
  journal: ToolJournal | undefined;
  signal: AbortSignal;
}): DurableAiTurn {
  const { turnId, journal } = options;
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  const callKeys = new Map<string, string>();
  let failure: ToolJournalError | undefined;
  let step = 0;

  const stopOn = (error: unknown): never => {
    if (error instanceof ToolJournalError && failure === undefined) {
      failure = error;
      controller.abort(error);
    }
    throw error;
  };

  const model =
    journal === undefined || typeof options.model === "string"
      ? options.model
      : wrapLanguageModel({
          model: options.model,
          middleware: {
            specificationVersion: "v4",
            wrapGenerate: async ({ doGenerate }) => {
              if (failure !== undefined) throw failure;
              const position = step++;
              const key = `${turnId}/model/${position}`;
              const result = await runJournaledModelStep(journal, key, doGenerate).catch(stopOn);
              result.content.forEach((part, index) => {
                if (part.type === "tool-call") {
                  callKeys.set(part.toolCallId, `${turnId}/tool/${position}/${index}`);
                }
              });
              return result;
            },
          },
        });

  const tools: ToolSet = {};
  for (const [name, definition] of Object.entries(options.tools)) {
    const execute = definition.execute;
    if (execute === undefined) {
      tools[name] = definition;
      continue;
    }
    tools[name] = {
      ...definition,
      execute: async (input: unknown, executeOptions: { toolCallId: string }) => {
        if (failure !== undefined) throw failure;
        const key =
          callKeys.get(executeOptions.toolCallId) ??
          `${turnId}/tool/call/${executeOptions.toolCallId}`;
        return runJournaled(journal, key, name, async () => {
          // A turn aborted (interrupted, shut down, lease lost) starts no new effect; a
          // journaled result above still replays.
          signal.throwIfAborted();
          const output = await execute(
            input as never,
            {
              ...executeOptions,
              [keyProperty]: key,
            } as never,
          );
          return isAsyncIterable(output) ? lastOf(output) : output;
        }).catch(stopOn);
      },
    } as ToolSet[string];
  }
  return { model, tools, signal, failure: () => failure };
}

/** Journals a model step only when it asked for tools: those are what keys point into. */
async function runJournaledModelStep(
  journal: ToolJournal | undefined,
  key: string,
  doGenerate: () => PromiseLike<ModelStepResult>,
): Promise<ModelStepResult> {
  if (journal === undefined) return doGenerate();
  let found: Awaited<ReturnType<ToolJournal["get"]>>;
  try {
    found = await journal.get(key);
  } catch (error) {
    throw new ToolJournalError(key, `Could not read the tool journal for ${key}.`, {
      cause: error,
    });
  }
  if (found !== undefined) return found.value as ModelStepResult;
  const result = await doGenerate();
  if (!result.content.some((part) => part.type === "tool-call")) return result;
  // Only what a re-run needs, in a form that survives JSON (no Dates, no file bytes).
  const stored = {
    content: result.content.filter((part) => part.type !== "file"),
    finishReason: result.finishReason,
    usage: result.usage,
    warnings: [],
  };
  try {
    await journal.record(key, { name: "model step", value: stored });
  } catch (error) {
    throw new ToolJournalError(key, `Could not journal model step ${key}; the turn stops.`, {
      cause: error,
    });
  }
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** A streaming tool's result is its last value, as the AI SDK gives it to the model. */
async function lastOf(values: AsyncIterable<unknown>): Promise<unknown> {
  let last: unknown;
  for await (const value of values) last = value;
  return last;
}
