/**
 * The agent boundary: the {@link Agent} interface and its adapters. Nothing here knows
 * Twilio or storage; the runtime feeds turns in and shapes replies for the channel.
 */
export { EmptyModelReplyError, InvalidReplyError, KnowledgeError } from "./agent-errors.js";
export { type AiSdkAgentOptions, aiSdkAgent } from "./ai-sdk-agent.js";
export { boundHistory, type HistoryBounds } from "./bound-history.js";
export { type FaqAgentOptions, faqAgent } from "./faq-agent.js";
export { type AgentFunction, functionAgent } from "./function-agent.js";
export { normalizeReply } from "./normalize-reply.js";
export { type Knowledge, type KnowledgeEntry, parseKnowledge } from "./parse-knowledge.js";
export { sampleKnowledgePath } from "./sample-knowledge-path.js";
export type {
  Agent,
  AgentContext,
  Channel,
  ConversationInfo,
  HandoffReply,
  HistoryMessage,
  HistoryRole,
  InboundMedia,
  MessageReply,
  Reply,
  ReplyMedia,
  ReplyTemplate,
  SkipReply,
  Turn,
  TurnMessage,
} from "./types.js";
