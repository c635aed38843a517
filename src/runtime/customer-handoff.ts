import type { CustomerRecord, MailboxStore } from "../mailbox/mailbox-store.js";

/** The most conversations of one customer a handoff holds or lets go at once. */
const heldConversations = 100;

/**
 * A person took `conversationSid` (it is in handoff already): the person now holds its
 * customer, so the customer's other conversations go to handoff too — a message the
 * customer sends on SMS while a person has them on web chat waits for that person instead
 * of meeting the bot. Answers the customer, or null when the conversation has none.
 */
export async function holdCustomer(
  mailbox: MailboxStore,
  conversationSid: string,
): Promise<CustomerRecord | null> {
  const customer = await mailbox.customerOfConversation(conversationSid);
  if (customer === null) return null;
  await mailbox.setCustomerHandoff(customer.customerId, { conversationSid });
  for (const other of await mailbox.customerConversations(customer.customerId, {
    limit: heldConversations,
  }))
    if (other.conversationSid !== conversationSid && other.state !== "handoff")
      await mailbox.setHandoff(other.conversationSid, true);
  return customer;
}

/**
 * `conversationSid` went back to the bot: its customer is let go, and the customer's other
 * conversations that were in handoff go back too (one person held the customer), their
 * handoff notes marked released `by` the same hand. Answers the conversations released
 * besides `conversationSid`.
 */
export async function releaseCustomer(
  mailbox: MailboxStore,
  conversationSid: string,
  by: "operator" | "timeout",
): Promise<string[]> {
  const customer = await mailbox.customerOfConversation(conversationSid);
  if (customer === null || customer.handoff === null) return [];
  await mailbox.setCustomerHandoff(customer.customerId, null);
  const released: string[] = [];
  for (const other of await mailbox.customerConversations(customer.customerId, {
    limit: heldConversations,
  }))
    if (other.conversationSid !== conversationSid && other.state === "handoff") {
      await mailbox.setHandoff(other.conversationSid, false);
      await mailbox.noteHandoffReleased(other.conversationSid, by);
      released.push(other.conversationSid);
    }
  return released;
}

/**
 * Before a customer message is stored: when a person holds its customer, the conversation it
 * arrived in goes to handoff first (a conversation the customer opened after the takeover,
 * or that was let go separately), so the message is recorded for that person unanswered.
 * Answers true when it put the conversation in handoff.
 */
export async function followCustomerHandoff(
  mailbox: MailboxStore,
  customer: CustomerRecord | undefined,
  conversationSid: string,
): Promise<boolean> {
  if (customer?.handoff == null || customer.handoff.conversationSid === conversationSid)
    return false;
  if ((await mailbox.conversation(conversationSid))?.state === "handoff") return false;
  await mailbox.setHandoff(conversationSid, true);
  return true;
}
