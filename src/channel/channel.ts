/**
 * The three Conversations channels switchboard speaks: `sms`, `whatsapp`, and `chat` (web chat
 * and other SDK clients: an identity, no phone binding). A leaf every layer may import — the
 * mailbox, Twilio code, agents, the runtime, telemetry and the faces all name this one type.
 */
export type Channel = "sms" | "whatsapp" | "chat";

/** Every channel, in a stable order (for validation and listings). */
export const channels: readonly Channel[] = ["sms", "whatsapp", "chat"];

/** Whether `value` names a channel. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === "string" && (channels as readonly string[]).includes(value);
}
