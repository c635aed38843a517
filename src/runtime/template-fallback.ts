import type { MailboxStore } from "../mailbox/mailbox-store.js";
import { replyIdOf } from "./reply-attributes.js";
import type { RuntimeListedMessage, RuntimeProvider } from "./runtime-provider.js";
import type { WhatsAppTemplate } from "./whatsapp-window.js";

/**
 * What happened to a 63016 failure report: the template was `queued` in the outbox, or was
 * already there (`already-queued`) or already sent, or the failed message is not one of our
 * free-form replies, or no template is configured.
 */
export type TemplateFallbackOutcome =
  | "queued"
  | "already-queued"
  | "already-sent"
  | "not-ours"
  | "no-template";

/** How far back to look for the failed message and an earlier fallback. */
const lookBack = 100;

/**
 * A free-form WhatsApp reply failed with 63016 (outside the 24-hour window): queue the
 * configured template once per turn instead. The conversation's recent messages are the
 * source of truth for which turn failed — the failure report can arrive before our own send
 * is settled in the mailbox. The template is not sent from the webhook: it is appended to the
 * conversation's outbox with reply id `<turnId>.template`, which makes it idempotent (every
 * part of a multi-part reply may fail, each with its own, possibly concurrent, webhook), sends
 * it after the replies already queued, and gives it the outbox's durability and
 * ambiguous-send reconciliation. Throws when the listing or the mailbox fails, so the webhook
 * answers 500 and Twilio retries it.
 */
export async function queueTemplateFallback(options: {
  provider: RuntimeProvider;
  mailbox: MailboxStore;
  template: WhatsAppTemplate | undefined;
  conversationSid: string;
  failedMessageSid: string;
}): Promise<TemplateFallbackOutcome> {
  const { provider, conversationSid } = options;
  if (options.template === undefined) return "no-template";
  const recent: RuntimeListedMessage[] = [];
  for await (const message of provider.listMessages(conversationSid, {
    order: "desc",
    pageSize: 50,
  })) {
    recent.push(message);
    if (recent.length >= lookBack) break;
  }
  const failed = recent.find((message) => message.id === options.failedMessageSid);
  const replyId = failed === undefined ? undefined : replyIdOf(failed.attributes);
  const turnId = replyId?.match(/^(.+)\.r\d+$/)?.[1];
  // Only our free-form replies: a failing template must not trigger another template.
  if (turnId === undefined || failed?.attributes.switchboardTemplateReason !== undefined)
    return "not-ours";
  const fallbackId = `${turnId}.template`;
  if (recent.some((message) => replyIdOf(message.attributes) === fallbackId)) return "already-sent";
  const outcome = await options.mailbox.enqueueReply(conversationSid, fallbackId, {
    body: null,
    template: {
      contentSid: options.template.contentSid,
      variables: { ...(options.template.variables ?? {}) },
    },
    attributes: { switchboardTemplateReason: "63016" },
  });
  return outcome === "queued" ? "queued" : "already-queued";
}
