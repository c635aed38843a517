import type { Reply } from "../agents/types.js";
import type { MailboxChannel, OutboundReply } from "../mailbox/mailbox-store.js";
import { isWhatsAppWindowOpen, shapeForChannel } from "../twilio/channels/shape-for-channel.js";
import { templateReply, type WhatsAppTemplate } from "./whatsapp-window.js";

/** What shaping needs to know besides the reply. */
export interface ShapingContext {
  channel: MailboxChannel;
  /** The customer's last inbound message (epoch ms), for the WhatsApp window. */
  lastInboundAt: number | null;
  now: number;
  smsMarkers: boolean;
  whatsappTemplate: WhatsAppTemplate | undefined;
}

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
  const text = [reply.text ?? "", ...links].filter((part) => part.trim() !== "").join("\n");
  const template = "template" in reply ? reply.template : undefined;

  // The window counts from the customer's last inbound message, so a turn answered more than
  // 24 hours late (after a long handoff or an outage) needs the template instead.
  const windowClosed =
    context.channel === "whatsapp" && !isWhatsAppWindowOpen(context.lastInboundAt, context.now);
  if (windowClosed && context.whatsappTemplate !== undefined && template === undefined) {
    const replies =
      text.trim() === "" ? [] : [templateReply(context.whatsappTemplate, "window-closed")];
    return withHandoff({ replies, usedTemplate: replies.length > 0 }, handoffReason);
  }

  const shaped = shapeForChannel(context.channel, text, {
    markers: context.channel === "sms" && context.smsMarkers,
  });
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
  if (template !== undefined) {
    replies.push({
      body: null,
      template: { contentSid: template.contentSid, variables: { ...(template.variables ?? {}) } },
    });
  }
  return withHandoff({ replies, usedTemplate: false }, handoffReason);
}

function withHandoff(turn: ShapedTurn, reason: string | undefined): ShapedTurn {
  return reason === undefined ? turn : { ...turn, handoffReason: reason };
}
