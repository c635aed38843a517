/**
 * The HTTP boundary: one router owns every route (webhook, `/healthz`, `/readyz`,
 * `/metrics`, the faces) and the JSON/SSE/error helpers the faces share. It parses HTTP
 * and hands verified events on; it holds no business rules and imports no runtime.
 */

export { type EventStream, type EventStreamOptions, openEventStream } from "./event-stream.js";
export {
  asObject,
  type FaceLogger,
  type FaceLogMethod,
  methodNotAllowed,
  readJsonBody,
  readText,
  sendError,
  sendJson,
  silentFaceLogger,
} from "./json-http.js";
export { listenHttp, type NodeHandler, type RunningServer } from "./listen-http.js";
export { RequestError } from "./request-error.js";
export {
  checkReadiness,
  createRouter,
  type HealthReport,
  type MountedFace,
  type ReadinessCheck,
  type ReadinessReport,
  type RouterOptions,
} from "./router.js";
export {
  createSwitchboardHandler,
  type ServableSwitchboard,
  type ServedSwitchboard,
  serveSwitchboard,
  switchboardWebhookHandler,
} from "./serve-switchboard.js";
