import { replyIdAttribute, replyIdOf } from "./reply-attributes.js";
import type { RuntimeListedMessage, RuntimeProvider } from "./runtime-provider.js";
import type { WhatsAppTemplate } from "./whatsapp-window.js";

/** What happened to a 63016 failure report. */
export type TemplateFallbackOutcome = "sent" | "already-sent" | "not-ours" | "no-template";

/** How far back to look for the failed message and an earlier fallback. */
const lookBack = 100;

/**
 * A free-form WhatsApp reply failed with 63016 (outside the 24-hour window): send the
 * configured template once per turn instead. The conversation's recent messages are the
 * source of truth — the failure report can arrive before our own send is settled in the
 * mailbox — and make it idempotent without extra storage: the template carries
 * `<turnId>.template` as its reply id and is only sent when no recent message has it.
 * It runs inside the delivery webhook and throws on failure, so the webhook answers 500 and
 * Twilio's retry of the webhook is the durable retry of this send.
 */
export async function sendTemplateFallback(options: {
  provider: RuntimeProvider;
  botAuthor: string;
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
  await provider.sendMessage(conversationSid, {
    from: options.botAuthor,
    template: {
      contentSid: options.template.contentSid,
      variables: { ...(options.template.variables ?? {}) },
    },
    attributes: { [replyIdAttribute]: fallbackId, switchboardTemplateReason: "63016" },
  });
  return "sent";
}
