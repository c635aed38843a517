/**
 * switchboard's test kit: helpers for testing apps built on switchboard.
 */
export { startEmulator } from "../emulator/index.js";
