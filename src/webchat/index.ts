/**
 * The web chat face: a widget (`GET /webchat.js`) and the small HTTP API behind it. It
 * holds no business rules; `WebchatDeps` connects it to the runtime.
 */

export { loadWebchatSecret } from "./load-webchat-secret.js";
export {
  createVisitorTokens,
  randomVisitorIdentity,
  type VisitorTokenClaims,
  VisitorTokenError,
  type VisitorTokenErrorCode,
  type VisitorTokenOptions,
  type VisitorTokens,
} from "./visitor-token.js";
export {
  createWebchatApi,
  type WebchatApiHandler,
  type WebchatApiOptions,
  webchatPaths,
} from "./webchat-api.js";
export { WebchatConversationClosedError } from "./webchat-conversation-closed-error.js";
export { WebchatConversationGoneError } from "./webchat-conversation-gone-error.js";
export type {
  WebchatDeps,
  WebchatEvent,
  WebchatMedia,
  WebchatMessage,
  WebchatRole,
} from "./webchat-deps.js";
export {
  type WebchatUploadOptions,
  webchatUploadTypes,
} from "./webchat-uploads.js";
export type {
  WebchatErrorResponse,
  WebchatSendResponse,
  WebchatSessionResponse,
} from "./webchat-wire.js";
