/**
 * The agent boundary: the {@link Agent} interface and its adapters. Nothing here knows
 * Twilio or storage; the runtime feeds turns in and shapes replies for the channel.
 */
export type {
  CardAction,
  ChannelCapabilities,
  Choice,
  ChoiceCard,
  ChoiceList,
  Choices,
  QuickReplies,
} from "../channel/index.js";
export { defaultChannelCapabilities, describeChannelCapabilities } from "../channel/index.js";
export {
  EmptyModelReplyError,
  InvalidReplyError,
  KnowledgeError,
  MediaRejectedError,
  ToolJournalError,
} from "./agent-errors.js";
export { type AiSdkAgentOptions, aiSdkAgent } from "./ai-sdk-agent.js";
export { boundHistory, type HistoryBounds } from "./bound-history.js";
export { idempotencyKeyOf } from "./durable-ai-turn.js";
export { type DurableStepInfo, durableStep, runJournaled, turnIdOf } from "./durable-step.js";
export { type FaqAgentOptions, faqAgent } from "./faq-agent.js";
export { type AgentFunction, functionAgent } from "./function-agent.js";
export {
  boundedMediaReader,
  defaultMediaLimits,
  isAllowedContentType,
  type MediaLimits,
  type MediaSource,
  mediaKind,
  validateMediaLimits,
} from "./media.js";
export { normalizeReply } from "./normalize-reply.js";
export { choicesFromToolInput, type OfferChoicesInput } from "./offer-choices.js";
export { type Knowledge, type KnowledgeEntry, parseKnowledge } from "./parse-knowledge.js";
export { sampleKnowledgePath } from "./sample-knowledge-path.js";
export {
  type ExtractiveSummaryOptions,
  extractiveHandoffSummary,
  type HandoffSummaryOptions,
  summarizeForHandoff,
} from "./summarize-for-handoff.js";
export {
  type InMemoryToolJournal,
  inMemoryToolJournal,
  type JournalEntry,
  type ToolJournal,
} from "./tool-journal.js";
export type {
  Agent,
  AgentContext,
  Channel,
  ConversationInfo,
  HandbackInfo,
  HandoffReply,
  HistoryMessage,
  HistoryRole,
  InboundMedia,
  MediaKind,
  MediaTranscript,
  MessageReply,
  Reply,
  ReplyMedia,
  ReplyNotes,
  ReplyTemplate,
  SkipReply,
  Turn,
  TurnMessage,
} from "./types.js";
