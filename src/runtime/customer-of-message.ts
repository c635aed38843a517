import type {
  CustomerAddress,
  CustomerRecord,
  InboundMessage,
  MailboxStore,
} from "../mailbox/mailbox-store.js";

const phone = /^\+[1-9]\d{6,14}$/;

/**
 * The customer address of a customer message: its channel and `customerAddress`. Undefined
 * for other roles or a message without an address.
 */
export function customerAddressOf(message: InboundMessage): CustomerAddress | undefined {
  if (message.role !== "customer") return undefined;
  const value = message.customerAddress;
  if (value === undefined || value === "") return undefined;
  return { kind: message.channel, value };
}

/**
 * The other channel's address of the same phone number: `whatsapp:+N` for SMS `+N` and the
 * other way round. Undefined for chat identities, app ids and anything not an E.164 number.
 */
export function sameNumberAddress(address: CustomerAddress): CustomerAddress | undefined {
  if (address.kind === "sms" && phone.test(address.value))
    return { kind: "whatsapp", value: `whatsapp:${address.value}` };
  if (address.kind === "whatsapp" && address.value.toLowerCase().startsWith("whatsapp:")) {
    const number = address.value.slice("whatsapp:".length);
    if (phone.test(number)) return { kind: "sms", value: number };
  }
  return undefined;
}

/**
 * The customer a customer message belongs to, made on first contact. With `linkSameNumber`,
 * a first contact on SMS or WhatsApp joins the customer that already has the same number on
 * the other channel. Only a first contact links: an address the application moved away
 * (`switchboard.customers.unlink`) keeps its own customer, so the link is not made again.
 * Undefined when the message is not a customer's.
 */
export async function customerOfMessage(
  mailbox: MailboxStore,
  message: InboundMessage,
  linkSameNumber: boolean,
): Promise<CustomerRecord | undefined> {
  const address = customerAddressOf(message);
  if (address === undefined) return undefined;
  const sibling = linkSameNumber ? sameNumberAddress(address) : undefined;
  // The common path after the first message: one read, no write. The sibling is asked in the
  // same breath, so a first contact's two lookups share one round trip where the store
  // batches them (PostgreSQL); its answer is used only when the address has no customer.
  const [known, siblingOwner] = await Promise.all([
    mailbox.customerByAddress(address),
    sibling === undefined ? null : mailbox.customerByAddress(sibling),
  ]);
  if (known !== null) return known;
  if (siblingOwner !== null) {
    const linked = await mailbox.linkAddress(siblingOwner.customerId, address, "same-number");
    if (linked.linked) return linked.customer;
    // Another first contact of this address won the race: it has a customer now.
  }
  return mailbox.ensureCustomer(address, "first-contact");
}
