import type { MailboxStore } from "../../mailbox/mailbox-store.js";
import { readClosedConversations } from "../../runtime/closed-conversations.js";
import { customerTextAttribute } from "../../runtime/reply-attributes.js";
import type { SwitchboardCustomers } from "../../runtime/switchboard-customers.js";
import { AddressInUseError } from "../../twilio/errors.js";

/** A phone address a text can go to. */
export interface PhoneAddress {
  kind: "sms" | "whatsapp";
  value: string;
}

/** What the sender needs to open a conversation with a number nobody has written from yet. */
export interface OutboxTextProvider {
  createConversation(input: {
    friendlyName?: string;
    attributes?: Record<string, unknown>;
  }): Promise<{ id: string }>;
  /** Closes the conversation made in vain when the number turned out to have one open. */
  closeConversation?(conversationId: string): Promise<unknown>;
  addParticipant(
    conversationId: string,
    input: { sms: string; proxyAddress?: string } | { whatsapp: string; proxyAddress?: string },
  ): Promise<unknown>;
}

export interface OutboxTextSenderOptions {
  mailbox: MailboxStore;
  customers: SwitchboardCustomers;
  /** Creates the conversation when the number has none open (the runtime's provider). */
  provider: OutboxTextProvider;
  /** Our sender per channel: the SMS number, the `whatsapp:+…` sender. */
  businessNumbers: { sms?: string | undefined; whatsapp?: string | undefined };
}

/**
 * Sends a text (or an approved template) to a phone address through the outbox, like any reply: durable, paced,
 * reconciled after an ambiguous send. The text goes into the number's open conversation
 * (the one the mailbox knows for this address), else into a new conversation with the number
 * as an SMS/WhatsApp participant. An opted-out address gets nothing: the consent ledger is
 * asked first (a conversation the mailbox has not seen a message in yet carries no address
 * for the outbox's own check).
 */
export function createOutboxTextSender(options: OutboxTextSenderOptions) {
  const { mailbox, customers, provider } = options;
  return async function sendText(
    address: PhoneAddress,
    message: string | { template: { contentSid: string; variables: Record<string, string> } },
    key: string,
  ): Promise<"queued" | "opted-out"> {
    if ((await mailbox.consent(address.value))?.state === "opted-out") return "opted-out";
    const conversationSid = await conversationFor(address);
    // `.0`: the reply's turn id is the key, so history groups it on its own. A conversation
    // opened here has had no message yet: the mailbox learns its channel and customer now, so
    // the console lists it as theirs before they write back.
    const proxyAddress = options.businessNumbers[address.kind];
    await mailbox.enqueueReply(
      conversationSid,
      `${key}.0`,
      {
        ...(typeof message === "string"
          ? { body: message }
          : { body: null, template: message.template }),
        attributes: { [customerTextAttribute]: key.split("-")[0] },
      },
      { channel: address.kind, customerAddress: address.value, proxyAddress: proxyAddress ?? null },
    );
    return "queued";
  };

  async function conversationFor(address: PhoneAddress): Promise<string> {
    const owner = await customers.byAddress(address);
    if (owner !== null) {
      // A closed conversation takes no messages (and frees the number for a new one).
      const closed = await readClosedConversations(mailbox);
      const known = (await customers.conversations(owner.customerId, { limit: 50 })).find(
        (conversation) =>
          conversation.channel === address.kind &&
          conversation.customerAddress === address.value &&
          conversation.goneAt === null &&
          !closed.has(conversation.conversationSid),
      );
      if (known !== undefined) return known.conversationSid;
    }
    const proxyAddress = options.businessNumbers[address.kind];
    const created = await provider.createConversation({
      friendlyName: `${address.kind === "sms" ? "SMS" : "WhatsApp"} from web chat`,
      attributes: { switchboardChannel: address.kind },
    });
    const participant =
      address.kind === "sms"
        ? { sms: address.value, ...(proxyAddress === undefined ? {} : { proxyAddress }) }
        : { whatsapp: address.value, ...(proxyAddress === undefined ? {} : { proxyAddress }) };
    try {
      await provider.addParticipant(created.id, participant);
      return created.id;
    } catch (error) {
      // The pair is already in an open conversation the mailbox has no message of: use it.
      if (error instanceof AddressInUseError && error.conversationSid !== undefined) {
        await provider.closeConversation?.(created.id).catch(() => {});
        return error.conversationSid;
      }
      throw error;
    }
  }
}
