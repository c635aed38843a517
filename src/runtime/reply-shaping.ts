import type { Reply } from "../agents/types.js";
import type { Choices } from "../channel/choices.js";
import type { MailboxChannel, OutboundReply } from "../mailbox/mailbox-store.js";
import { renderChoicesAsText } from "../twilio/channels/render-choices-as-text.js";
import {
  isWhatsAppWindowOpen,
  type ShapedReply,
  shapeForChannel,
} from "../twilio/channels/shape-for-channel.js";
import { type ApprovedChoiceTemplate, approvedChoiceTemplate } from "./choice-templates.js";
import { templateReply, type WhatsAppTemplate } from "./whatsapp-window.js";

/** What shaping needs to know besides the reply. */
export interface ShapingContext {
  channel: MailboxChannel;
  /** The customer's last inbound message (epoch ms), for the WhatsApp window. */
  lastInboundAt: number | null;
  now: number;
  smsMarkers: boolean;
  whatsappTemplate: WhatsAppTemplate | undefined;
  /** Approved templates for choices outside the WhatsApp window (`resolveChoiceTemplates`). */
  choiceTemplates?: readonly ApprovedChoiceTemplate[] | undefined;
  /**
   * WhatsApp: the Content template (`HX…`) made for the reply's choices. Absent: choices go
   * out as numbered text (no provider support, or `validateChoices` found problems).
   */
  choicesContentSid?: string | undefined;
  /** SMS: the most segments one message may cost (see `channels.sms.maxSegments`). */
  smsMaxSegments?: number | undefined;
}

/**
 * The attribute that carries a reply's choices (the `Choices` value) on the message that
 * shows them, on every channel: web chat clients draw buttons from it; the console shows it.
 */
export const choicesAttribute = "switchboardChoices";

/** A reply as outbox rows, plus what else the turn must do. */
export interface ShapedTurn {
  replies: OutboundReply[];
  /** Set when the agent handed the conversation to a person. */
  handoffReason?: string;
  /** True when free text was replaced by the WhatsApp template. */
  usedTemplate: boolean;
}

/**
 * Turns an agent's reply into the messages to send: text shaped for the channel (SMS plain
 * text with segment counts recorded, WhatsApp formatting, chat unchanged) and split at the
 * channel's limit — never truncated; media URLs as links in the text; a template as
 * its own message. On WhatsApp outside the 24-hour window, free text becomes the configured
 * template (sent once), because Twilio would fail it with 63016.
 */
export function shapeReply(reply: Reply, context: ShapingContext): ShapedTurn {
  if ("skip" in reply) return { replies: [], usedTemplate: false };
  const handoffReason = "handoff" in reply ? reply.handoff.reason : undefined;
  // Conversations attaches media only as uploaded `ME…` SIDs; a public URL goes as a link
  // (shaped with the text, so it counts against the limit). Byte media is not sent yet.
  const links =
    "media" in reply && reply.media !== undefined
      ? reply.media.flatMap((item) => ("url" in item ? [item.url] : []))
      : [];
  const choices = "choices" in reply ? reply.choices : undefined;
  const template = "template" in reply ? reply.template : undefined;
  // Choices as buttons: WhatsApp through their Content template, web chat through the
  // attribute; anywhere else (SMS, WhatsApp without a template) as numbered text.
  const contentSid = context.channel === "whatsapp" ? context.choicesContentSid : undefined;
  const buttons = choices !== undefined && (context.channel === "chat" || contentSid !== undefined);
  const lead =
    choices === undefined
      ? (reply.text ?? "")
      : leadText(reply.text, choices, context.channel, buttons);
  const numbered = choices !== undefined && !buttons ? [renderChoicesAsText(choices)] : [];
  const text = [lead, ...numbered, ...links]
    .filter((part) => part.trim() !== "")
    .join(numbered.length > 0 ? "\n\n" : "\n");

  // The window counts from the customer's last inbound message, so a turn answered more than
  // 24 hours late (after a long handoff or an outage) needs the template instead.
  const windowClosed =
    context.channel === "whatsapp" && !isWhatsAppWindowOpen(context.lastInboundAt, context.now);
  // Choices there go out through their approved template, which carries the buttons (and the
  // text when it has a variable for it); a tap then maps back like any WhatsApp tap.
  const approved =
    windowClosed && choices !== undefined && template === undefined
      ? approvedChoiceTemplate(
          choices,
          lead.trim() === "" ? buttonsBody(choices) : lead,
          context.choiceTemplates ?? [],
        )
      : undefined;
  if (approved !== undefined && choices !== undefined) {
    const replies: OutboundReply[] = [
      // Links would be free text, refused outside the window like the rest.
      {
        body: null,
        template: approved,
        attributes: { [choicesAttribute]: choices, switchboardTemplateReason: "window-closed" },
      },
    ];
    return withHandoff({ replies, usedTemplate: true }, handoffReason);
  }
  if (windowClosed && context.whatsappTemplate !== undefined && template === undefined) {
    const replies =
      text.trim() === "" ? [] : [templateReply(context.whatsappTemplate, "window-closed")];
    return withHandoff({ replies, usedTemplate: replies.length > 0 }, handoffReason);
  }

  const shaped = shapeText(text, context);
  const replies: OutboundReply[] = shaped.parts.map((body, position) => {
    const segments = shaped.segments?.[position];
    return segments === undefined
      ? { body }
      : {
          body,
          attributes: {
            switchboardSms: { encoding: segments.encoding, segments: segments.segments },
          },
        };
  });
  if (choices !== undefined) {
    // Every channel's message that shows the choices carries them in its attributes too: a
    // web chat client draws its buttons from them, and the console shows what was offered.
    if (contentSid !== undefined) {
      // The template carries the body and the buttons; Twilio ignores a body beside it.
      replies.push({
        body: null,
        template: { contentSid, variables: {} },
        attributes: { [choicesAttribute]: choices },
      });
    } else {
      const last = replies.at(-1);
      const carried = { ...(last?.attributes ?? {}), [choicesAttribute]: choices };
      if (last === undefined) replies.push({ body: buttonsBody(choices), attributes: carried });
      else replies[replies.length - 1] = { ...last, attributes: carried };
    }
  }
  if (template !== undefined) {
    replies.push({
      body: null,
      template: { contentSid: template.contentSid, variables: { ...(template.variables ?? {}) } },
    });
  }
  return withHandoff({ replies, usedTemplate: false }, handoffReason);
}

/**
 * The text before the choices. `aiSdkAgent` answers with the choices' body as its text when
 * the model wrote none, so text equal to the body is not said twice. Numbered text and a
 * WhatsApp template carry the body themselves; a web chat message shows it above its
 * buttons.
 */
function leadText(
  text: string | undefined,
  choices: Choices,
  channel: MailboxChannel,
  buttons: boolean,
): string {
  const body = buttonsBody(choices);
  const own = text === undefined || text.trim() === body.trim() ? "" : text;
  if (!buttons || channel !== "chat") return own;
  return [own, body].filter((part) => part.trim() !== "").join("\n\n");
}

/** The body of a web chat message that is only buttons. */
function buttonsBody(choices: Choices): string {
  return choices.type === "card" ? choices.title : choices.body;
}

/**
 * Shapes text for the channel. With an SMS segment cap, parts are cut so none costs more
 * than the cap: at the GSM-7 size first, and at the UCS-2 size when a part needs UCS-2.
 */
function shapeText(text: string, context: ShapingContext): ShapedReply {
  const markers = context.channel === "sms" && context.smsMarkers;
  const cap = context.channel === "sms" ? context.smsMaxSegments : undefined;
  if (cap === undefined) return shapeForChannel(context.channel, text, { markers });
  const gsm = shapeForChannel("sms", text, { markers, limit: cap === 1 ? 160 : cap * 153 });
  if ((gsm.segments ?? []).every((part) => part.segments <= cap)) return gsm;
  return shapeForChannel("sms", text, { markers, limit: cap === 1 ? 70 : cap * 67 });
}

function withHandoff(turn: ShapedTurn, reason: string | undefined): ShapedTurn {
  return reason === undefined ? turn : { ...turn, handoffReason: reason };
}
