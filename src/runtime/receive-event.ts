import { MailboxInputError } from "../mailbox/mailbox-errors.js";
import type { InboundMessage, IngestResult, MailboxStore } from "../mailbox/mailbox-store.js";
import { WebhookEventRefusedError } from "../twilio/errors.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { WebhookEvent } from "../twilio/webhook/event-types.js";
import type { ApprovedChoiceTemplate } from "./choice-templates.js";
import { rememberClosedConversations } from "./closed-conversations.js";
import type { ConsentPolicy } from "./consent-policy.js";
import { customerOnArrival } from "./customer-on-arrival.js";
import type { CustomerSettings } from "./customer-options.js";
import { applyInboundConsent, consentReplyAttribute, helpReplyId } from "./inbound-consent.js";
import { type Identities, inboundFromEvent } from "./inbound-from-event.js";
import type { IndexGaps } from "./index-gaps.js";
import { keepAsDeadLetter } from "./ingest-or-dead-letter.js";
import type { ProxyAddresses } from "./proxy-addresses.js";
import { recordDeliveryReceipt } from "./record-delivery-receipt.js";
import type { RuntimeProvider } from "./runtime-provider.js";
import type { SwitchboardEvents } from "./switchboard-events.js";
import { queueTemplateFallback } from "./template-fallback.js";
import { type WhatsAppTemplate, whatsappWindowErrorCode } from "./whatsapp-window.js";

/** What handling a verified webhook event needs. */
export interface ReceiveEventSettings {
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  events: SwitchboardEvents;
  logger: TwilioLogger;
  identities: Identities;
  now: () => number;
  whatsappTemplate: WhatsAppTemplate | undefined;
  /** Approved templates for choices, preferred by the 63016 fallback when one fits. */
  choiceTemplates?: readonly ApprovedChoiceTemplate[];
  /** Each conversation's proxy address (our number), to recognise messages it authored. */
  proxies?: ProxyAddresses;
  /** Consent keywords and the help answer; without it, consent is not applied. */
  consent?: ConsentPolicy;
  /** Customers across channels; without it, messages are stored without customers. */
  customers?: CustomerSettings;
  /** Lists a conversation at once when a webhook's `Index` shows messages missing below it. */
  gaps?: IndexGaps;
}

/**
 * The runtime's side of a verified webhook: a new message is ingested (resolving once it is
 * durable — then the webhook may answer 200); a WhatsApp 63016 delivery failure of one of our
 * replies sends the template. Other events are acknowledged and ignored. Never runs the agent.
 */
export async function receiveEvent(
  event: WebhookEvent,
  settings: ReceiveEventSettings,
): Promise<void> {
  if (event.type === "message.new") {
    const conversationSid = event.conversationId;
    if (conversationSid === undefined) return;
    let ingested: { inbound: InboundMessage; answerHelp: boolean; result: IngestResult };
    try {
      ingested = await ingestMessage(event, conversationSid, settings);
    } catch (error) {
      // Malformed for the mailbox anywhere on the way (the consent lookup of an impossible
      // author, the message itself): refused the same way on every retry, so it is kept as
      // an inbound dead letter and the webhook answers 422. Anything else answers 500.
      if (!(error instanceof MailboxInputError)) throw error;
      await keepAsDeadLetter(
        {
          conversationSid,
          messageSid: event.data.messageSid,
          author: event.data.author,
          body: event.data.body ?? null,
        },
        error,
        settings,
        "webhook",
      );
      throw new WebhookEventRefusedError(
        `Message ${event.data.messageSid} can never be stored; it is kept as an inbound dead letter.`,
        { field: error.field },
      );
    }
    const { inbound, answerHelp, result } = ingested;
    if (result === "accepted")
      settings.events.emit("message.ingested", {
        conversationSid,
        messageSid: inbound.messageSid,
        role: inbound.role,
        via: "webhook",
      });
    else
      settings.events.emit("message.duplicate", {
        conversationSid,
        messageSid: inbound.messageSid,
        via: "webhook",
      });
    // Idempotent by reply id, so a retried webhook (accepted or duplicate) answers once.
    if (answerHelp && settings.consent?.helpText !== undefined)
      await settings.mailbox.enqueueReply(conversationSid, helpReplyId(inbound.messageSid), {
        body: settings.consent.helpText,
        attributes: { [consentReplyAttribute]: "help" },
      });
    return;
  }
  if (event.type === "delivery.updated" && event.conversationId !== undefined)
    await recordDeliveryReceipt(event.conversationId, event.data, settings);
  if (
    event.conversationId !== undefined &&
    ((event.type === "conversation.state_updated" && event.data.stateTo === "closed") ||
      (event.type === "conversation.updated" && event.data.state === "closed"))
  ) {
    // Closed is final: catch-up stops listing this conversation.
    await rememberClosedConversations(settings.mailbox, [event.conversationId], settings.now());
    return;
  }
  if (
    (event.type === "participant.new" ||
      event.type === "participant.updated" ||
      event.type === "conversation.new") &&
    event.conversationId !== undefined
  ) {
    // `MessagingBinding.ProxyAddress`: our number in this conversation.
    settings.proxies?.remember(event.conversationId, event.data.messagingBinding?.proxyAddress);
    return;
  }
  if (
    event.type === "delivery.updated" &&
    event.data.errorCode === whatsappWindowErrorCode &&
    event.conversationId !== undefined
  ) {
    const outcome = await queueTemplateFallback({
      provider: settings.provider,
      mailbox: settings.mailbox,
      template: settings.whatsappTemplate,
      choiceTemplates: settings.choiceTemplates,
      conversationSid: event.conversationId,
      failedMessageSid: event.data.messageSid,
    });
    settings.logger.info(
      { conversationSid: event.conversationId, messageSid: event.data.messageSid, outcome },
      "WhatsApp 63016: template fallback",
    );
    if (outcome === "queued")
      settings.events.emit("whatsapp.template", {
        conversationSid: event.conversationId,
        reason: "63016",
        messageSid: event.data.messageSid,
      });
  }
}

/**
 * The conversation's channel, read only when the author is a chat identity: that is the
 * one case where it decides the role (an operator in an SMS/WhatsApp conversation). Phone
 * authors skip the read, keeping the common path to one write.
 */
async function knownChannel(mailbox: MailboxStore, conversationSid: string, author: string) {
  if (isPhoneAuthor(author)) return undefined;
  return (await mailbox.conversation(conversationSid))?.channel;
}

/** Parses, applies consent to and ingests one new message. */
async function ingestMessage(
  event: Extract<WebhookEvent, { type: "message.new" }>,
  conversationSid: string,
  settings: ReceiveEventSettings,
) {
  const { gaps } = settings;
  // With gap detection the row is read (its last Index), unless this is the next message of a
  // conversation known complete below it and its author's role needs no channel: the common
  // case, kept to no read at all.
  const known =
    gaps !== undefined &&
    isPhoneAuthor(event.data.author) &&
    gaps.knownComplete(conversationSid, event.data.index);
  const stored =
    gaps === undefined || known ? undefined : await settings.mailbox.conversation(conversationSid);
  const channel =
    stored === undefined
      ? await knownChannel(settings.mailbox, conversationSid, event.data.author)
      : isPhoneAuthor(event.data.author)
        ? undefined
        : stored?.channel;
  const proxyAddress = await settings.proxies?.of(conversationSid, settings.mailbox, stored);
  const parsed = inboundFromEvent(
    event,
    settings.identities,
    channel,
    settings.now(),
    proxyAddress,
  );
  // Missing indexes below a customer message are fetched (and stored) before it, so its
  // turn waits for them instead of going first once the settle window ends.
  const complete =
    gaps !== undefined && stored !== undefined && parsed.role === "customer"
      ? await gaps.beforeIngest(conversationSid, parsed.index, stored)
      : known;
  // Consent and the customer are looked up at once: consent marks the message (never its
  // author, channel or role, which the customer follows), and on PostgreSQL each lookup is a
  // round trip the webhook would otherwise wait for in turn.
  const [{ inbound, answerHelp }] = await Promise.all([
    settings.consent === undefined
      ? { inbound: parsed, answerHelp: false }
      : applyInboundConsent(parsed, { ...settings, policy: settings.consent }),
    settings.customers !== undefined && parsed.role === "customer"
      ? customerOnArrival(parsed, { ...settings, customers: settings.customers })
      : undefined,
  ]);
  const result = await settings.mailbox.ingest(inbound);
  if (complete && inbound.role === "customer") gaps?.recorded(conversationSid, inbound.index);
  return { inbound, answerHelp, result };
}

function isPhoneAuthor(author: string): boolean {
  return author.startsWith("+") || author.toLowerCase().startsWith("whatsapp:");
}
