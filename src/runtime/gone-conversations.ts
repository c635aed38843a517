import { SwitchboardError } from "../errors.js";
import type { ConversationRecord, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { describeError } from "./describe-error.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/**
 * A conversation Twilio no longer has: a user deleted it in the Twilio console, or the dev
 * emulator restarted without its state. Twilio then answers 404 for anything under it, and
 * nothing can bring it back (a conversation SID is never reused), so the runtime marks it
 * gone in the mailbox once and stops asking. Catch-up calls these helpers for the
 * "404 → mark gone, skip gone" part, whatever else it does; the outbox sender, the console
 * and the web chat call them too.
 */

/** What marking a conversation gone needs. */
export interface GoneSettings {
  mailbox: Pick<MailboxStore, "markGone">;
  events: Pick<SwitchboardEvents, "emit">;
  logger: TwilioLogger;
}

/**
 * Whether `error`, thrown by a call addressed to one conversation (listing or sending its
 * messages, fetching it), means Twilio no longer has that conversation: a `not_found`
 * (`NotFoundError`: 20404, 50350) or any other 404 — but not `service_not_found`, which is a
 * misconfiguration, not a forgotten conversation. Read from the stable `code` and `status`
 * fields and the global marker, so errors of a second copy of switchboard classify the same.
 */
export function isConversationGoneError(error: unknown): boolean {
  if (!SwitchboardError.isSwitchboardError(error)) return false;
  if (error.code === "service_not_found") return false;
  if (error.code === "not_found" || error.code === "conversation_gone") return true;
  return (error as SwitchboardError & { status?: unknown }).status === 404;
}

/** Whether the mailbox has the conversation marked gone. */
export function isMarkedGone(record: Pick<ConversationRecord, "goneAt"> | null): boolean {
  return record !== null && record.goneAt !== null && record.goneAt !== undefined;
}

/**
 * Marks the conversation gone and, the first time only, says so: one warn line (the reason,
 * no stack trace — this is an expected state, not a bug) and a `conversation.gone` event for
 * the faces. Answers whether this call made the mark. Never throws: if the mailbox cannot
 * write, the next 404 tries again.
 */
export async function markConversationGone(
  settings: GoneSettings,
  conversationSid: string,
  cause: unknown,
): Promise<boolean> {
  const reason = goneReason(cause);
  let marked: boolean;
  try {
    marked = await settings.mailbox.markGone(conversationSid, reason);
  } catch (error) {
    settings.logger.warn(
      { conversationSid, reason: describeError(error) },
      "could not mark a conversation Twilio no longer has as gone",
    );
    return false;
  }
  if (!marked) return false;
  settings.logger.warn(
    { conversationSid, reason },
    "Twilio no longer has this conversation (deleted, or the emulator lost it); marked gone and no longer read",
  );
  settings.events.emit("conversation.gone", { conversationSid, reason });
  return true;
}

/** The stored reason: what Twilio said, bounded to what the mailbox keeps. */
export function goneReason(cause: unknown): string {
  const text = (typeof cause === "string" ? cause : describeError(cause)).trim();
  const reason = text === "" ? "Twilio answered 404 Not Found" : text;
  return reason.length > 1000 ? `${reason.slice(0, 999)}…` : reason;
}
