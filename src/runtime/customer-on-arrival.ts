import { MailboxInputError } from "../mailbox/mailbox-errors.js";
import type { CustomerRecord, InboundMessage, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { followCustomerHandoff } from "./customer-handoff.js";
import { customerOfMessage } from "./customer-of-message.js";
import type { CustomerSettings } from "./customer-options.js";

/**
 * Before a customer message is stored: finds (or makes, or links by number) its customer, and
 * when a person holds that customer puts the conversation in handoff, so the message waits
 * for them. An address the customer store refuses (too long for an address) only loses the
 * link — logged, the message is still stored; a store that fails throws, so the webhook
 * answers 500 and Twilio retries.
 */
export async function customerOnArrival(
  message: InboundMessage,
  settings: { mailbox: MailboxStore; customers: CustomerSettings; logger: TwilioLogger },
): Promise<CustomerRecord | undefined> {
  const { mailbox, customers, logger } = settings;
  try {
    const customer = await customerOfMessage(mailbox, message, customers.linkSameNumber);
    await followCustomerHandoff(mailbox, customer, message.conversationSid);
    return customer;
  } catch (error) {
    if (!(error instanceof MailboxInputError)) throw error;
    logger.warn(
      { conversationSid: message.conversationSid, field: error.field },
      "message kept without a customer: its address cannot be one",
    );
    return undefined;
  }
}
