/**
 * `switchboard/service`: the whole service in your own process (`createService`), and the
 * parts it is composed of for those who compose their own — the console and web chat faces
 * with their adapters, the router, metrics, and the configuration the CLI reads. A subpath
 * because it loads prom-client and, when a PostgreSQL database is chosen, pg.
 */

// ── Configuration (`switchboard.config.*`, environment, flags) ──────────────────────────
export { ConfigFileError } from "../config/config-file-error.js";
export {
  configFileNames,
  type LoadConfigFileOptions,
  type LoadedConfigFile,
  loadConfigFile,
} from "../config/load-config-file.js";
export {
  type DatabaseLocation,
  hasPassword,
  type ParseDatabaseUrlOptions,
  parseDatabaseUrl,
} from "../config/parse-database-url.js";
export {
  type ConfigFlags,
  configDefaults,
  configEnvironmentVariables,
  type ResolveConfigOptions,
  type ResolvedConfig,
  resolveConfig,
  type SettingSource,
} from "../config/resolve-config.js";
export { validateConfig } from "../config/validate-config.js";
export {
  createRuntimeConsoleDeps,
  type RuntimeConsoleDepsOptions,
} from "../console/adapter/runtime-console-deps.js";
// ── Faces and their adapters ─────────────────────────────────────────────────────────────
export {
  type ConsoleApiHandler,
  type ConsoleApiOptions,
  createConsoleApi,
} from "../console/console-api.js";
export { consoleTokenRequired, isLoopbackHost } from "../console/console-auth.js";
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
  ConsoleTranscript,
} from "../console/console-deps.js";
export { ConsoleConflictError, ConsoleNotFoundError } from "../console/console-errors.js";
// ── HTTP: one router for every route ────────────────────────────────────────────────────
export { listenHttp, type RunningServer } from "../http/listen-http.js";
export { RequestError } from "../http/request-error.js";
export {
  checkReadiness,
  createRouter,
  type MountedFace,
  type ReadinessCheck,
  type ReadinessReport,
  type RouterOptions,
} from "../http/router.js";
export { switchboardWebhookHandler } from "../http/serve-switchboard.js";
// ── Metrics (prom-client) ────────────────────────────────────────────────────────────────
export { countEvents } from "../metrics/count-events.js";
export {
  createMetrics,
  type GaugeSource,
  type Metrics,
  type MetricsOptions,
  type RenderedMetrics,
  type SendOutcome,
  type TurnOutcome,
  type WebhookOutcome,
} from "../metrics/create-metrics.js";
export { observedAgent } from "../metrics/observed-agent.js";
export { observedProvider } from "../metrics/observed-provider.js";
export { observedWebhook } from "../metrics/observed-webhook.js";
export { type FaceEventSource, liveEventSource } from "../runtime/live-event-source.js";
export {
  createProviderWebchatDeps,
  type ProviderWebchatDepsOptions,
  type WebchatProvider,
} from "../webchat/adapter/provider-webchat-deps.js";
export { loadWebchatSecret } from "../webchat/load-webchat-secret.js";
export {
  createVisitorTokens,
  randomVisitorIdentity,
  type VisitorTokenClaims,
  VisitorTokenError,
  type VisitorTokenErrorCode,
  type VisitorTokenOptions,
  type VisitorTokens,
} from "../webchat/visitor-token.js";
export {
  createWebchatApi,
  type WebchatApiHandler,
  type WebchatApiOptions,
  webchatPaths,
} from "../webchat/webchat-api.js";
export { WebchatConversationClosedError } from "../webchat/webchat-conversation-closed-error.js";
export { WebchatConversationGoneError } from "../webchat/webchat-conversation-gone-error.js";
export type {
  WebchatDeps,
  WebchatEvent,
  WebchatMedia,
  WebchatMessage,
  WebchatRole,
} from "../webchat/webchat-deps.js";
// ── The composed service ─────────────────────────────────────────────────────────────────
export { createService, type Service } from "./create-service.js";
export { operatorAuthor } from "./operator-author.js";
export type { ServiceOptions } from "./service-options.js";
export { type RunningService, startService } from "./start-service.js";
