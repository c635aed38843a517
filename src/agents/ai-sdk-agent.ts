import {
  generateText,
  isStepCount,
  jsonSchema,
  type LanguageModel,
  type ModelMessage,
  type ToolSet,
  type TranscriptionModel,
  tool,
  transcribe,
} from "ai";
import {
  type ChannelCapabilities,
  defaultChannelCapabilities,
  describeChannelCapabilities,
} from "../channel/channel-capabilities.js";
import { EmptyModelReplyError, MediaRejectedError } from "./agent-errors.js";
import { boundHistory } from "./bound-history.js";
import { durableAiTurn } from "./durable-ai-turn.js";
import { runJournaled, turnIdOf } from "./durable-step.js";
import { mediaKind } from "./media.js";
import { choicesFromToolInput, offerChoicesInputSchema } from "./offer-choices.js";
import { summarizeForHandoff } from "./summarize-for-handoff.js";
import { toModelMessages } from "./to-model-messages.js";
import type {
  Agent,
  AgentContext,
  InboundMedia,
  MediaTranscript,
  Reply,
  ReplyNotes,
  Turn,
} from "./types.js";

/** Options of {@link aiSdkAgent}. */
export interface AiSdkAgentOptions {
  /** Any AI SDK language model: `openai("…")`, `anthropic("…")`, an OpenAI-compatible server… */
  model: LanguageModel;
  /** The instructions: who the agent is, what it may promise, its tone. */
  system?: string;
  /**
   * Tools the model may call (AI SDK `tool(…)` definitions with `execute`). Each call is
   * durable: its result is journaled before the model sees it and replayed when the turn
   * runs again, and `execute` gets a stable key (`idempotencyKeyOf(options)`).
   */
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
  /**
   * Give the model an `offer_choices` tool: it answers with options the customer taps
   * (WhatsApp, web chat) or answers by number (SMS). Default false.
   */
  choices?: boolean;
  /**
   * Send the turn's images to the model as image parts (for models that accept images).
   * Default true; set false for a text-only model (images are then only mentioned).
   */
  images?: boolean;
  /**
   * A transcription model (`openai.transcription("whisper-1")`, …) for voice notes: their
   * transcript goes to the model as the customer's words and back in `reply.transcripts`
   * for history. Without it a voice note is only mentioned as an attachment.
   */
  transcriptionModel?: TranscriptionModel;
  /**
   * The handoff summary (`agent.summarizeForHandoff`): one model call bounded by these;
   * on error or timeout the extractive summary is used.
   */
  handoffSummary?: { timeoutMs?: number; maxOutputTokens?: number; maxCharacters?: number };
  /** Retries of a failed model call inside one turn (the AI SDK's own). Default 2. */
  maxRetries?: number;
  temperature?: number;
  maxOutputTokens?: number;
}

const handoffToolName = "handoff_to_human";
const choicesToolName = "offer_choices";

/** Appended to the instructions so replies fit SMS and WhatsApp as well as web chat. */
const channelNote =
  "You are answering customers over SMS, WhatsApp or web chat. Keep answers short and plain; light markdown (bold, lists, links) is fine.";

/**
 * An agent backed by a language model through the Vercel AI SDK (`generateText`). The
 * conversation's recent history goes with every turn, bounded by `maxHistory` messages;
 * the turn's abort signal is passed down, so a lost lease or a shutdown cancels the call.
 * The system prompt ends with one line of the channel's capabilities, so the same
 * instructions yield buttons on WhatsApp and numbered options on SMS.
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
  if (
    options.transcriptionModel !== undefined &&
    (typeof options.transcriptionModel !== "object" || options.transcriptionModel === null)
  ) {
    throw new TypeError(
      'aiSdkAgent: option "transcriptionModel" must be an AI SDK transcription model.',
    );
  }
  const tools: ToolSet = { ...options.tools };
  for (const reserved of [handoffToolName, choicesToolName]) {
    if (reserved in tools) {
      throw new TypeError(
        `aiSdkAgent: option "tools" may not define "${reserved}"; it is built in.`,
      );
    }
  }
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
  if (options.choices === true) {
    tools[choicesToolName] = tool({
      description:
        "Answer with a few options for the customer to pick from (shown as buttons or numbered lines, per the channel). Use it instead of listing the options in text; it ends your answer.",
      inputSchema: offerChoicesInputSchema,
      // No execute: like the handoff, the call ends generation and becomes the reply.
    });
  }
  const baseInstructions =
    options.system === undefined ? channelNote : `${options.system}\n\n${channelNote}`;

  return {
    async respond(turn, context): Promise<Reply> {
      const capabilities =
        context.channel?.capabilities ?? defaultChannelCapabilities(context.conversation.channel);
      const turnId = turnIdOf(turn, context);
      const history = boundHistory(context.history, {
        maxMessages: options.maxHistory ?? 20,
        maxCharacters: options.maxHistoryCharacters ?? 12_000,
      });
      const media = await readTurnMedia(turn, context, turnId, options);
      const messages = withImages(
        toModelMessages(history, { ...turn, media: media.described }),
        media.images,
      );
      const durable = durableAiTurn({
        model: options.model,
        tools,
        turnId,
        journal: context.journal,
        signal: context.signal,
      });
      let result: Awaited<ReturnType<typeof generateText>>;
      try {
        result = await generateText({
          model: durable.model,
          instructions: `${baseInstructions}\n${capabilityLine(context, capabilities)}`,
          messages,
          ...(Object.keys(tools).length === 0 ? {} : { tools: durable.tools }),
          stopWhen: isStepCount(maxSteps),
          abortSignal: durable.signal,
          maxRetries: options.maxRetries ?? 2,
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
          ...(options.maxOutputTokens === undefined
            ? {}
            : { maxOutputTokens: options.maxOutputTokens }),
        });
      } catch (error) {
        // A journal failure is the reason, whatever the AI SDK made of the abort it caused.
        throw durable.failure() ?? error;
      }
      const failure = durable.failure();
      if (failure !== undefined) throw failure;
      const notes: ReplyNotes =
        media.transcripts.length === 0 ? {} : { transcripts: media.transcripts };
      const text = result.text.trim();
      const handoffCall = result.toolCalls.find((call) => call.toolName === handoffToolName);
      if (handoffCall !== undefined) {
        const input = handoffCall.input as { reason?: unknown } | undefined;
        const reason =
          typeof input?.reason === "string" && input.reason.trim() !== ""
            ? input.reason
            : "The model asked for a person.";
        return text === ""
          ? { handoff: { reason }, ...notes }
          : { handoff: { reason }, text, ...notes };
      }
      const choicesCall = result.toolCalls.find((call) => call.toolName === choicesToolName);
      if (choicesCall !== undefined) {
        const choices = choicesFromToolInput(choicesCall.input, capabilities);
        return { text: text === "" ? choices.body : text, choices, ...notes };
      }
      if (text === "") {
        throw new EmptyModelReplyError(
          `The model returned no text (finish reason "${result.finishReason}") for conversation ${turn.conversationSid}.`,
        );
      }
      return { text, ...notes };
    },

    summarizeForHandoff(history, { signal }) {
      return summarizeForHandoff(history, {
        model: options.model,
        signal,
        ...options.handoffSummary,
      });
    },
  };
}

function capabilityLine(context: AgentContext, capabilities: ChannelCapabilities): string {
  return describeChannelCapabilities(
    context.channel?.name ?? context.conversation.channel,
    capabilities,
  );
}

/** The turn's media as the model will get it. */
interface TurnMedia {
  /** The turn's media with transcripts filled in, for the text of the turn. */
  described: InboundMedia[];
  /** Image bytes to attach as image parts. */
  images: { data: Uint8Array; mediaType: string }[];
  transcripts: MediaTranscript[];
}

/**
 * Reads the turn's images (when the model takes images) and transcribes its voice notes
 * (when a transcription model is configured). Transcripts are journaled, so a re-run of
 * the turn does not pay for them twice. Media the runtime refuses (too large, wrong type)
 * stays a mention: the model can say it could not open it.
 */
async function readTurnMedia(
  turn: Turn,
  context: AgentContext,
  turnId: string,
  options: AiSdkAgentOptions,
): Promise<TurnMedia> {
  const described: InboundMedia[] = [];
  const images: TurnMedia["images"] = [];
  const transcripts: MediaTranscript[] = [];
  for (const message of turn.messages) {
    for (const [mediaIndex, item] of message.media.entries()) {
      const kind = mediaKind(item);
      const read = item.read;
      if (kind === "image" && options.images !== false && read !== undefined) {
        const data = await readOrUndefined(read);
        if (data !== undefined) images.push({ data, mediaType: item.contentType });
      } else if (
        kind === "audio" &&
        options.transcriptionModel !== undefined &&
        read !== undefined
      ) {
        const model = options.transcriptionModel;
        const key = `${turnId}/transcribe/${message.messageSid}/${mediaIndex}`;
        const text = await runJournaled(context.journal, key, "transcribe", async () => {
          const audio = await readOrUndefined(read);
          if (audio === undefined) return null;
          const result = await transcribe({ model, audio, abortSignal: context.signal });
          return result.text.trim();
        });
        if (typeof text === "string" && text !== "") {
          transcripts.push({
            messageSid: message.messageSid,
            mediaIndex,
            ...(item.sid === undefined ? {} : { mediaSid: item.sid }),
            text,
          });
          described.push({ ...item, transcript: text });
          continue;
        }
      }
      described.push(item);
    }
  }
  // Media given only on the turn (not per message) is still described.
  if (described.length === 0 && turn.media.length > 0) described.push(...turn.media);
  return { described, images, transcripts };
}

async function readOrUndefined(read: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof MediaRejectedError) return undefined;
    throw error;
  }
}

/** Adds image parts to the last message — the turn's, always a user message. */
function withImages(messages: ModelMessage[], images: TurnMedia["images"]): ModelMessage[] {
  const last = messages.at(-1);
  if (images.length === 0 || last === undefined || last.role !== "user") return messages;
  const text = typeof last.content === "string" ? last.content : "";
  return [
    ...messages.slice(0, -1),
    {
      role: "user",
      content: [
        { type: "text", text },
        ...images.map((image) => ({
          type: "image" as const,
          image: image.data,
          mediaType: image.mediaType,
        })),
      ],
    },
  ];
}
