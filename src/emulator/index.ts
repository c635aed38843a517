/**
 * switchboard/emulator — a local Twilio Conversations that the official SDK cannot tell
 * from Twilio.
 */
export type { EmulatorClock } from "./clock.js";
export { createEmulatorClock } from "./clock.js";

/** Placeholder until the REST emulator lands. */
export async function startEmulator(): Promise<never> {
  throw new Error("not yet implemented");
}
