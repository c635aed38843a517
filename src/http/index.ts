/**
 * The HTTP boundary: the service's routes as Node request listeners. It parses HTTP and
 * hands verified events on; it holds no business rules.
 */

export {
  type AppHandlerOptions,
  createAppHandler,
  type MountedFace,
  type ReadinessCheck,
} from "./create-app-handler.js";
export {
  createHttpHandler,
  type HttpRoutes,
  listenHttp,
  type NodeHandler,
  type RunningServer,
} from "./server.js";
export { createWebhookRoute, type WebhookRouteOptions } from "./webhook-route.js";
