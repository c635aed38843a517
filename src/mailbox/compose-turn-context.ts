import { customerLimits } from "./mailbox-customers.js";
import { MailboxInputError } from "./mailbox-errors.js";
import type {
  ConsentRecord,
  MailboxStore,
  TurnContext,
  TurnContextOptions,
} from "./mailbox-store.js";
import { validateAddress } from "./validate-ledger-input.js";
import { validateHistoryLimit } from "./validate-mailbox-input.js";

/** The reads `turnContext` stands for. */
export type TurnContextReads = Pick<
  MailboxStore,
  "history" | "customerOfConversation" | "customerHistory" | "handoffNote" | "consent"
>;

/** At most this many consent addresses per `turnContext` (a turn has a few messages). */
export const turnContextConsentAddresses = 100;

/**
 * `turnContext`'s options, checked the way the separate reads check them (so a store answers
 * malformed options before reading anything, whether or not the conversation has a
 * customer): the history limit as `history`'s, the customer history limit 0 or as
 * `customerHistory`'s, each address as `consent`'s. Answers the addresses without repeats.
 */
export function validateTurnContextOptions(options: TurnContextOptions): {
  historyLimit: number;
  customerHistoryLimit: number;
  consentAddresses: string[];
} {
  if (typeof options !== "object" || options === null)
    throw new MailboxInputError("options", "options: must be an object");
  const historyLimit = validateHistoryLimit(options.historyLimit);
  const memory = options.customerHistoryLimit ?? 0;
  if (!Number.isSafeInteger(memory) || memory < 0 || memory > customerLimits.historyMax)
    throw new MailboxInputError(
      "customerHistoryLimit",
      `customerHistoryLimit: must be an integer from 0 to ${customerLimits.historyMax}`,
    );
  const addresses = options.consentAddresses ?? [];
  if (!Array.isArray(addresses) || addresses.length > turnContextConsentAddresses)
    throw new MailboxInputError(
      "consentAddresses",
      `consentAddresses: must be an array of at most ${turnContextConsentAddresses} addresses`,
    );
  for (const address of addresses) validateAddress(address);
  return { historyLimit, customerHistoryLimit: memory, consentAddresses: [...new Set(addresses)] };
}

/**
 * `turnContext` made of the separate reads, for a store where each is cheap (SQLite reads on
 * the calling thread) and for a store without the method. Independent reads run side by
 * side; the customer's history waits for the customer.
 */
export async function composeTurnContext(
  store: TurnContextReads,
  conversationSid: string,
  options: TurnContextOptions,
): Promise<TurnContext> {
  const checked = validateTurnContextOptions(options);
  const [history, customer, handoffNote, consent] = await Promise.all([
    store.history(conversationSid, { limit: checked.historyLimit }),
    store.customerOfConversation(conversationSid),
    store.handoffNote(conversationSid),
    Promise.all(checked.consentAddresses.map((address) => store.consent(address))),
  ]);
  const customerHistory =
    customer === null || checked.customerHistoryLimit === 0
      ? []
      : await store.customerHistory(customer.customerId, {
          limit: checked.customerHistoryLimit,
          exceptConversationSid: conversationSid,
        });
  return {
    history,
    customer,
    customerHistory,
    handoffNote,
    consent: consent.filter((record): record is ConsentRecord => record !== null),
  };
}
