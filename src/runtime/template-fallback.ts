import type { Choices } from "../channel/choices.js";
import type { MailboxStore, OutboundReply } from "../mailbox/mailbox-store.js";
import { type ApprovedChoiceTemplate, approvedChoiceTemplate } from "./choice-templates.js";
import { replyIdOf } from "./reply-attributes.js";
import { choicesAttribute } from "./reply-shaping.js";
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
  /** Approved templates for choices: a turn that offered choices is sent the one that fits. */
  choiceTemplates?: readonly ApprovedChoiceTemplate[] | undefined;
  conversationSid: string;
  failedMessageSid: string;
}): Promise<TemplateFallbackOutcome> {
  const { provider, conversationSid } = options;
  const choiceTemplates = options.choiceTemplates ?? [];
  if (options.template === undefined && choiceTemplates.length === 0) return "no-template";
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
  // Whichever part's failure arrives first decides, so the turn's choices are looked up on all
  // of its parts: a turn that offered choices gets their approved template when one fits.
  const reply = choicesFallback(recent, turnId, choiceTemplates) ?? plainFallback(options.template);
  if (reply === undefined) return "no-template";
  const outcome = await options.mailbox.enqueueReply(conversationSid, fallbackId, reply);
  return outcome === "queued" ? "queued" : "already-queued";
}

function plainFallback(template: WhatsAppTemplate | undefined): OutboundReply | undefined {
  if (template === undefined) return undefined;
  return {
    body: null,
    template: { contentSid: template.contentSid, variables: { ...(template.variables ?? {}) } },
    attributes: { switchboardTemplateReason: "63016" },
  };
}

/** The approved template for the choices one of the turn's parts offered, if one fits. */
function choicesFallback(
  recent: readonly RuntimeListedMessage[],
  turnId: string,
  templates: readonly ApprovedChoiceTemplate[],
): OutboundReply | undefined {
  if (templates.length === 0) return undefined;
  const parts = recent
    .filter((message) => replyIdOf(message.attributes)?.startsWith(`${turnId}.r`) === true)
    .sort((a, b) => a.index - b.index);
  const offering = parts.find((message) => {
    const value = message.attributes[choicesAttribute];
    return typeof value === "object" && value !== null;
  });
  if (offering === undefined) return undefined;
  const choices = offering.attributes[choicesAttribute] as Choices;
  const text = parts
    .map((message) => message.content ?? "")
    .filter((content) => content.trim() !== "")
    .join("\n");
  let template: OutboundReply["template"];
  try {
    const body = choices.type === "card" ? choices.title : choices.body;
    template = approvedChoiceTemplate(choices, text === "" ? String(body) : text, templates);
  } catch {
    // Attributes in an unexpected shape: the general template goes instead.
    return undefined;
  }
  if (template === undefined) return undefined;
  return {
    body: null,
    template,
    attributes: { switchboardTemplateReason: "63016", [choicesAttribute]: choices },
  };
}
