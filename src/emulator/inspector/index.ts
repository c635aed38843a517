/**
 * The emulator's inspector: a live page at `GET /_emulator/` showing conversations,
 * participants, messages, device inboxes and the webhook log.
 *
 * Wiring: mount `createInspectorRoutes({ getState })` on the router and
 * `createInspectorStream({ getState, subscribe })` at `inspectorStreamPath` on the Node
 * server; the store produces `InspectorState` and calls subscribers on every change.
 */
export type { InspectorPage, InspectorPageOptions } from "./inspector-page.js";
export { renderInspectorPage } from "./inspector-page.js";
export type { InspectorRoutesOptions } from "./inspector-routes.js";
export { createInspectorRoutes, inspectorStreamPath } from "./inspector-routes.js";
export type {
  InspectorConversation,
  InspectorDeviceMessage,
  InspectorMedia,
  InspectorState,
  InspectorWebhook,
  RestJson,
} from "./inspector-state.js";
export type { InspectorStreamOptions } from "./inspector-stream.js";
export { createInspectorStream } from "./inspector-stream.js";
