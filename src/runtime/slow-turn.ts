import type { Channel } from "../channel/channel.js";
import { ConfigError } from "../errors.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import type { SwitchboardOptions } from "./switchboard-options.js";

/** The "one moment" message, resolved: a threshold per channel (undefined: off) and its text. */
export interface SlowTurnSettings {
  afterMs: Partial<Record<Channel, number>>;
  message: string;
}

const defaults: SlowTurnSettings = {
  afterMs: { sms: 8_000, whatsapp: 8_000 },
  message: "One moment, I'm looking into it.",
};

/** Checks `slowTurn` once, at construction; mistakes name the option. */
export function resolveSlowTurn(given: SwitchboardOptions["slowTurn"]): SlowTurnSettings {
  if (given === undefined) return { ...defaults, afterMs: { ...defaults.afterMs } };
  if (given === false) return { afterMs: {}, message: defaults.message };
  const message = given.message ?? defaults.message;
  if (typeof message !== "string" || message.trim() === "")
    throw new ConfigError("slowTurn.message", "slowTurn.message must be a non-empty string.");
  const afterMs: Partial<Record<Channel, number>> = { ...defaults.afterMs };
  for (const [channel, value] of Object.entries(given.afterMs ?? {})) {
    if (!["sms", "whatsapp", "chat"].includes(channel))
      throw new ConfigError(
        `slowTurn.afterMs.${channel}`,
        `slowTurn.afterMs.${channel}: unknown channel; use sms, whatsapp or chat.`,
      );
    if (value === false) delete afterMs[channel as Channel];
    else if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0)
      throw new ConfigError(
        `slowTurn.afterMs.${channel}`,
        `slowTurn.afterMs.${channel} must be a positive number of ms, or false for off.`,
      );
    else afterMs[channel as Channel] = value;
  }
  return { afterMs, message };
}

/** The reply id of a turn's "one moment" message: one per turn, whatever its attempts. */
export function slowTurnReplyId(turnId: string): string {
  return `${turnId}.moment`;
}

/**
 * Starts the turn's "one moment" timer: when it fires the message is appended to the
 * outbox under the turn's own reply id, so a retried or re-run turn never sends it twice
 * (`enqueueReply` answers `duplicate`). Returns the function that cancels it.
 */
export function startSlowTurnTimer(options: {
  mailbox: MailboxStore;
  settings: SlowTurnSettings;
  channel: Channel;
  conversationSid: string;
  turnId: string;
  onError: (error: unknown) => void;
  onSent?: () => void;
}): () => void {
  const afterMs = options.settings.afterMs[options.channel];
  if (afterMs === undefined) return () => {};
  const timer = setTimeout(() => {
    options.mailbox
      .enqueueReply(options.conversationSid, slowTurnReplyId(options.turnId), {
        body: options.settings.message,
      })
      .then((queued) => {
        if (queued === "queued") options.onSent?.();
      }, options.onError);
  }, afterMs);
  timer.unref?.();
  return () => clearTimeout(timer);
}
