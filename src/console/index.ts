/**
 * The dev console face: one page at `/` and the JSON API behind it. It holds no business
 * rules; `ConsoleDeps` connects it to the runtime.
 */
export {
  type ConsoleApiHandler,
  type ConsoleApiOptions,
  createConsoleApi,
} from "./console-api.js";
export { consoleTokenRequired, isLoopbackHost } from "./console-auth.js";
export type {
  ConsoleChannel,
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleDeps,
  ConsoleEvent,
  ConsoleInfo,
  ConsoleMedia,
  ConsoleMessage,
  ConsoleMessageRole,
  ConsoleRefusedMessage,
  ConsoleTranscript,
} from "./console-deps.js";
export { ConsoleConflictError, ConsoleNotFoundError } from "./console-errors.js";
export { type ConsolePage, renderConsolePage } from "./console-page.js";
