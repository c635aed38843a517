import { SwitchboardError } from "../errors.js";
import type {
  ConversationRecord,
  CustomerAddress,
  CustomerDeleted,
  CustomerHistoryEntry,
  CustomerRecord,
  CustomerSummary,
  MailboxStore,
} from "../mailbox/mailbox-store.js";

/** How an application vouches for a link: its own login, a verified code, an operator. */
export type CustomerLinkVouch = "application" | "verified" | "operator";

/** `switchboard.customers.link` named a customer id the mailbox does not have. */
export class UnknownCustomerError extends SwitchboardError {
  readonly customerId: string;
  constructor(customerId: string) {
    super("unknown_customer", `No customer ${customerId}: it was deleted or merged away.`);
    this.customerId = customerId;
  }
}

/**
 * The application's hook on customers (`switchboard.customers`): one person across SMS,
 * WhatsApp and web chat. Link only what the application has verified — its own login, a code
 * sent to the number — never a number a visitor merely typed: a linked address shares the
 * customer's history with whoever writes from it.
 */
export interface SwitchboardCustomers {
  /**
   * Links `address` to a customer: `to` is a customer id, or an address the customer already
   * has (made into a customer if new). When `address` belongs to another customer, the two
   * become one (that customer is merged in): the application vouches that they are the same
   * person. Resolves with the customer as it now is; rejects with `UnknownCustomerError`
   * for an unknown id and `MailboxInputError` for a malformed address.
   */
  link(
    to: string | CustomerAddress,
    address: CustomerAddress,
    options?: { source?: CustomerLinkVouch },
  ): Promise<CustomerRecord>;
  /**
   * Separates `address` from its customer: it becomes a customer of its own (with its
   * conversations), and is not linked again by number. Resolves with that new customer, or
   * null when no customer had the address.
   */
  unlink(address: CustomerAddress): Promise<CustomerRecord | null>;
  /** The customer, by id; null when unknown. */
  get(customerId: string): Promise<CustomerRecord | null>;
  /** The customer owning an address; null when none. */
  byAddress(address: CustomerAddress): Promise<CustomerRecord | null>;
  /** The customer of a conversation; null when it has none (yet). */
  ofConversation(conversationSid: string): Promise<CustomerRecord | null>;
  /** The customer's conversations, most recently active first. */
  conversations(customerId: string, options?: { limit?: number }): Promise<ConversationRecord[]>;
  /** The customer's recent messages over all their conversations, oldest first. */
  history(
    customerId: string,
    options?: { limit?: number; exceptConversationSid?: string },
  ): Promise<CustomerHistoryEntry[]>;
  /** Customers, most recently active first; `search` matches part of any address. */
  list(options?: { limit?: number; search?: string }): Promise<CustomerSummary[]>;
  /**
   * Erases the customer: the record, its addresses, their consent records, and every
   * conversation of theirs with all it stored. One call; null when unknown.
   */
  delete(customerId: string): Promise<CustomerDeleted | null>;
}

/** The hook over a mailbox (what `createSwitchboard` exposes as `customers`). */
export function switchboardCustomers(mailbox: MailboxStore): SwitchboardCustomers {
  const target = async (to: string | CustomerAddress, source: CustomerLinkVouch) => {
    if (typeof to !== "string") return mailbox.ensureCustomer(to, source);
    const customer = await mailbox.customer(to);
    if (customer === null) throw new UnknownCustomerError(to);
    return customer;
  };
  return {
    async link(to, address, options = {}) {
      const source = options.source ?? "application";
      const customer = await target(to, source);
      const linked = await mailbox.linkAddress(customer.customerId, address, source);
      if (linked.linked) return linked.customer;
      if (linked.reason === "unknown-customer") throw new UnknownCustomerError(customer.customerId);
      const merged = await mailbox.mergeCustomers(customer.customerId, linked.ownerId);
      if (merged === null) throw new UnknownCustomerError(customer.customerId);
      return merged;
    },
    async unlink(address) {
      if (!(await mailbox.unlinkAddress(address))) return null;
      // Owned again at once, so a same-number link on its next message does not undo this.
      return mailbox.ensureCustomer(address, "application");
    },
    get: (customerId) => mailbox.customer(customerId),
    byAddress: (address) => mailbox.customerByAddress(address),
    ofConversation: (conversationSid) => mailbox.customerOfConversation(conversationSid),
    conversations: (customerId, options) => mailbox.customerConversations(customerId, options),
    history: (customerId, options) => mailbox.customerHistory(customerId, options),
    list: (options) => mailbox.listCustomers(options),
    delete: (customerId) => mailbox.deleteCustomer(customerId),
  };
}
