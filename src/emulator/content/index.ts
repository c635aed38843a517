/**
 * The emulator's Content API: templates (`HX…`) for WhatsApp and rich messages, and the
 * renderer that fills a template's variables when a message with `ContentSid` is delivered.
 *
 * Wiring: `createContentRoutes({ store })` gives the `/v1/Content` routes (the content host);
 * a message created with `ContentSid` is rendered with `renderContentMessage(store, {
 * accountSid, contentSid, contentVariables, channel })` (or `store.get` + `renderTemplate`).
 */
export {
  ContentRequestError,
  knownContentTypes,
  parseContentCreateRequest,
} from "./content-create-request.js";
export type { ContentRoutesOptions } from "./content-routes.js";
export { createContentRoutes } from "./content-routes.js";
export type {
  ContentApprovalMode,
  ContentPage,
  ContentStore,
  ContentStoreOptions,
  ContentTemplate,
  ContentTemplateInput,
  WhatsAppApproval,
  WhatsAppApprovalStatus,
} from "./content-store.js";
export { ContentApprovalError, createContentStore, isApprovalStatus } from "./content-store.js";
export type { ContentSend } from "./render-content-message.js";
export { renderContentMessage } from "./render-content-message.js";
export type {
  ContentChannel,
  ContentRenderErrorCode,
  RenderedAction,
  RenderedContent,
} from "./render-template.js";
export {
  ContentRenderError,
  maxContentVariablesLength,
  parseContentVariables,
  renderTemplate,
} from "./render-template.js";
export type { Route, RouteHandler, RouteRequest, RouteResponse } from "./route.js";
export { twilioError } from "./route.js";
