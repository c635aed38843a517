/**
 * switchboard — one AI agent on every Twilio Conversations channel.
 *
 * The public surface of the library. The emulator lives at `switchboard/emulator` and
 * the test kit at `switchboard/testing`.
 */

export * from "./agents/index.js";
export { type FaceEventSource, liveEventSource } from "./cli/live-event-source.js";
export {
  createProviderWebchatDeps,
  type ProviderWebchatDepsOptions,
  type WebchatProvider,
} from "./cli/provider-webchat-deps.js";
export {
  createRuntimeConsoleDeps,
  type RuntimeConsoleDepsOptions,
} from "./cli/runtime-console-deps.js";
export * from "./config/index.js";
export * from "./console/index.js";
export { ConfigError, SwitchboardError } from "./errors.js";
export {
  type AppHandlerOptions,
  createAppHandler,
  type MountedFace,
  type ReadinessCheck,
} from "./http/index.js";
export {
  createLogger,
  fullNumbersVariable,
  type Logger,
  type LoggerOptions,
  maskPhoneNumbersInText,
  redactedValue,
  redactUrlCredentials,
  sanitizeLogValue,
} from "./log/index.js";
export * from "./mailbox/index.js";
export * from "./mailbox/postgres/index.js";
export * from "./metrics/index.js";
export * from "./runtime/index.js";
export * from "./telemetry/index.js";
// `Channel` is declared identically by agents (which may not import Twilio) and twilio;
// naming one explicitly settles the ambiguity of the two star exports.
export type { Channel } from "./twilio/index.js";
export * from "./twilio/index.js";
export * from "./twilio/setup/index.js";
export * from "./webchat/index.js";
