/**
 * switchboard/emulator — a local Twilio Conversations that the official SDK cannot tell
 * from Twilio.
 */
export type { EmulatorClock } from "./clock.js";
export { createEmulatorClock } from "./clock.js";
export { EmulatorRequestClient } from "./http/emulator-request-client.js";
export { EmulatorRestError } from "./http/rest-error.js";
export type {
  EmulatorHandler,
  EmulatorPreHook,
  EmulatorRequest,
  EmulatorResponse,
  EmulatorRoute,
} from "./http/types.js";
export type { Emulator, StartEmulatorOptions } from "./start-emulator.js";
export { startEmulator } from "./start-emulator.js";
export type {
  ActionOrigin,
  EmulatorEvent,
  EmulatorEvents,
  EmulatorPostEventType,
  EmulatorPreEventType,
  PreEventOutcome,
} from "./store/emulator-events.js";
export type { EmulatorStore } from "./store/emulator-store.js";
