/**
 * switchboard — one AI agent on every Twilio Conversations channel.
 *
 * The public surface of the library. The emulator lives at `switchboard/emulator` and
 * the test kit at `switchboard/testing`.
 */
export { ConfigError, SwitchboardError } from "./errors.js";
