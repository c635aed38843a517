import type {
  ConsoleChannel,
  ConsoleConversationState,
  ConsoleMessageRole,
} from "../console-deps.js";

export const channelNames: Record<ConsoleChannel, string> = {
  sms: "SMS",
  whatsapp: "WhatsApp",
  chat: "Web chat",
};

export const stateNames: Record<ConsoleConversationState, string> = {
  bot: "Bot",
  human: "Human",
  dead: "Dead letter",
  gone: "Gone",
};

export const roleNames: Record<ConsoleMessageRole, string> = {
  customer: "Customer",
  agent: "Agent",
  human: "You",
};

// Mailbox and outbox states in an operator's words. An inbound "handoff" message arrived
// while a person held the conversation: the bot will not answer it.
const statusNames: Record<string, string> = {
  handoff: "For a person · bot won't answer",
  pending: "Waiting for the bot",
  skipped: "Skipped",
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
  undelivered: "Not delivered",
  dead: "Gave up",
};

/** A message status in plain words; unknown ones are shown as they come, capitalised. */
export function statusLabel(status: string): string {
  return statusNames[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

/** A known key of `names`, or `fallback` for anything the server might send later. */
export function known<K extends string>(names: Record<K, string>, value: string, fallback: K): K {
  return Object.hasOwn(names, value) ? (value as K) : fallback;
}
