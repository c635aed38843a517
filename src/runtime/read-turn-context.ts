import { composeTurnContext } from "../mailbox/compose-turn-context.js";
import type { MailboxStore, TurnContext, TurnContextOptions } from "../mailbox/mailbox-store.js";

/**
 * A turn's reads before its agent runs: the store's `turnContext` (one round trip on
 * PostgreSQL), or the same reads one by one for a store without it.
 */
export function readTurnContext(
  mailbox: MailboxStore,
  conversationSid: string,
  options: TurnContextOptions,
): Promise<TurnContext> {
  return mailbox.turnContext !== undefined
    ? mailbox.turnContext(conversationSid, options)
    : composeTurnContext(mailbox, conversationSid, options);
}
