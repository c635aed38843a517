/**
 * Customers: one person above their conversations, part of the mailbox contract.
 *
 * A customer reaches us on several channels (SMS, WhatsApp, web chat), each a conversation of
 * its own: Twilio sends a reply in a conversation to every participant's channel at once, so
 * one shared conversation would answer everywhere. Instead a customer is a durable record
 * with the addresses it is known by, and a conversation belongs to the customer that owns its
 * address (`channel` + `customerAddress`). Nothing here decides *when* addresses may be linked
 * (same number, a verified code, the application's login): that is the runtime's policy; the
 * store only keeps the links consistent: an address belongs to at most one customer, always.
 */

import type { ConversationRecord, HistoryEntry, MailboxChannel } from "./mailbox-store.js";

/**
 * What kind of address: the three channels (their `customerAddress` as Twilio names it) and
 * `app`, an id the application gives (its own user id, an account number).
 */
export type CustomerAddressKind = "sms" | "whatsapp" | "chat" | "app";

/**
 * One address. `value` is exactly as Twilio names it on that channel: `sms` `+15551230001`,
 * `whatsapp` `whatsapp:+15551230001`, `chat` the web chat identity; `app` any id. At most 256
 * characters, no NUL; compared exactly (the runtime normalises before it asks).
 */
export interface CustomerAddress {
  kind: CustomerAddressKind;
  value: string;
}

/**
 * Why an address was linked to its customer: `first-contact` (the first message from it made
 * the customer), `same-number` (the SMS and WhatsApp of one number, linked automatically),
 * `application` (the application's hook), `verified` (the customer proved it, e.g. a code
 * sent to the number), `operator` (a person in the console).
 */
export type CustomerLinkSource =
  | "first-contact"
  | "same-number"
  | "application"
  | "verified"
  | "operator";

/** An address as stored on its customer. */
export interface CustomerAddressRecord extends CustomerAddress {
  source: CustomerLinkSource;
  /** When it was linked to this customer (store clock). */
  linkedAt: number;
}

/**
 * The person holding the customer: set when a person takes over one of the customer's
 * conversations, so the customer's other conversations are held too until they hand back.
 */
export interface CustomerHandoffHolder {
  /** The conversation where the person took over. */
  conversationSid: string;
  /** When (store clock). */
  since: number;
}

/** One customer as stored. */
export interface CustomerRecord {
  /** Opaque, made by the store (`cu_` and 32 hex digits); never reused. */
  customerId: string;
  /** When the record was created (store clock). */
  createdAt: number;
  /** Every address, oldest link first (then kind, then value). */
  addresses: CustomerAddressRecord[];
  /** The person holding the customer, or null while the agent answers. */
  handoff: CustomerHandoffHolder | null;
}

/**
 * The answer of `linkAddress`: linked (now, or already before), or refused because the
 * address belongs to another customer (`ownerId`; nothing changes: call `mergeCustomers` or
 * `unlinkAddress` first if that is what is meant) or the customer does not exist.
 */
export type CustomerLinkOutcome =
  | { linked: true; customer: CustomerRecord }
  | { linked: false; reason: "other-customer"; ownerId: string }
  | { linked: false; reason: "unknown-customer" };

/** One line of a customer's history across conversations. */
export interface CustomerHistoryEntry {
  conversationSid: string;
  /** The channel of that conversation (null for a row made by `setHandoff` before a message). */
  channel: MailboxChannel | null;
  /** When: an inbound message's `dateCreated`, a reply's `createdAt` (epoch ms). */
  at: number;
  entry: HistoryEntry;
}

/** What `deleteCustomer` removed. */
export interface CustomerDeleted {
  customerId: string;
  addresses: number;
  conversations: number;
  /** Inbound messages and outbox rows of those conversations. */
  messages: number;
  /** Consent records of the customer's addresses. */
  consent: number;
}

/** One row of `listCustomers`. */
export interface CustomerSummary extends CustomerRecord {
  /**
   * Latest activity of any of its conversations (its customer's last message, else when the
   * conversation was first seen: the order of `activeConversations`), else `createdAt`.
   */
  lastActivityAt: number;
}

/** Limits of the customer reads. */
export const customerLimits = {
  addressLength: 256,
  /** `customerHistory` default and maximum entries. */
  historyDefault: 30,
  historyMax: 200,
  /** `customerHistory` reads the customer's this many most recently active conversations. */
  historyConversations: 20,
  /** `customerConversations` and `listCustomers` default and maximum rows. */
  listDefault: 50,
  listMax: 500,
  /** `listCustomers` search text. */
  searchLength: 100,
} as const;

/**
 * The customer part of every `MailboxStore` (declared apart so the scheduling contract stays
 * readable). Every write is one transaction; every input is validated first and malformed
 * input rejects with `MailboxInputError`, writing nothing.
 */
export interface MailboxCustomers {
  /**
   * The customer owning `address`, created (with this address, `source`) when none does.
   * Concurrent calls for one address answer the same customer. The runtime calls it for the
   * address of every customer message it receives.
   */
  ensureCustomer(address: CustomerAddress, source?: CustomerLinkSource): Promise<CustomerRecord>;

  /**
   * Links `address` to `customerId`. Already that customer's: linked, unchanged. Owned by
   * another customer: refused (`other-customer`), nothing changes — one address, one customer.
   */
  linkAddress(
    customerId: string,
    address: CustomerAddress,
    source: CustomerLinkSource,
  ): Promise<CustomerLinkOutcome>;

  /**
   * Removes `address` from whatever customer has it: the address's conversations stop being
   * that customer's (a later message from it makes a new customer). The customer stays, even
   * with no address left. False when no customer had it.
   */
  unlinkAddress(address: CustomerAddress): Promise<boolean>;

  /**
   * Moves every address of `fromId` to `intoId` and deletes `fromId` (its id is never used
   * again). The holder of `intoId` stays; when it had none it takes `fromId`'s. Resolves with
   * the merged customer, or null when either is unknown. `intoId === fromId` changes nothing.
   */
  mergeCustomers(intoId: string, fromId: string): Promise<CustomerRecord | null>;

  /** The customer, or null. */
  customer(customerId: string): Promise<CustomerRecord | null>;
  /** The customer owning `address`, or null. */
  customerByAddress(address: CustomerAddress): Promise<CustomerRecord | null>;
  /**
   * The customer owning the conversation's address (its `channel` and `customerAddress`), or
   * null when the conversation is unknown, has no address yet, or nobody owns it.
   */
  customerOfConversation(conversationSid: string): Promise<CustomerRecord | null>;

  /**
   * The customer's conversations (those whose address it owns), most recently active first,
   * at most `limit` (default 50, at most 500). Unknown customer: `[]`.
   */
  customerConversations(
    customerId: string,
    options?: { limit?: number },
  ): Promise<ConversationRecord[]>;

  /**
   * The customer's most recent `limit` messages (default 30, at most 200) over their 20 most
   * recently active conversations, oldest first, each with its conversation, channel and time
   * — the memory the agent gets across channels. `exceptConversationSid` leaves one out (the
   * conversation the turn runs in already has its own history). Ordered by time, then
   * conversation, then the conversation's own order. Unknown customer: `[]`.
   */
  customerHistory(
    customerId: string,
    options?: { limit?: number; exceptConversationSid?: string },
  ): Promise<CustomerHistoryEntry[]>;

  /**
   * Customers, most recently active first, at most `limit` (default 50, at most 500);
   * `search` (at most 100 characters) keeps those with an address containing it, case
   * insensitive (part of a number, an identity, an app id) or whose id is exactly it.
   */
  listCustomers(options?: { limit?: number; search?: string }): Promise<CustomerSummary[]>;

  /**
   * Sets (or with null clears) the person holding the customer; see `CustomerHandoffHolder`.
   * The store only records it: the runtime puts the customer's conversations in handoff.
   * False when the customer is unknown.
   */
  setCustomerHandoff(
    customerId: string,
    holder: { conversationSid: string } | null,
  ): Promise<boolean>;

  /**
   * Erases the customer in one transaction: the record, its addresses, the consent records of
   * its addresses, and its conversations with everything stored about them (messages, replies,
   * delivery records, tool journal, handoff notes). Message dedupe keys stay (SIDs only), so a
   * redelivered webhook of an erased message is still a duplicate. A worker holding a turn of
   * an erased conversation is fenced out. Null when the customer is unknown.
   */
  deleteCustomer(customerId: string): Promise<CustomerDeleted | null>;
}
