/**
 * switchboard — one AI agent on every Twilio Conversations channel.
 *
 * The public surface of the library. The emulator lives at `switchboard/emulator` and
 * the test kit at `switchboard/testing`.
 */

export * from "./agents/index.js";
export { ConfigError, SwitchboardError } from "./errors.js";
// `Channel` is declared identically by agents (which may not import Twilio) and twilio;
// naming one explicitly settles the ambiguity of the two star exports.
export type { Channel } from "./twilio/index.js";
export * from "./twilio/index.js";
