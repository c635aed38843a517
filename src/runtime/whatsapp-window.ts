import type { OutboundReply } from "../mailbox/mailbox-store.js";
import { isWhatsAppWindowOpen } from "../twilio/channels/shape-for-channel.js";

/** Twilio's error for a free-form WhatsApp message outside the 24-hour window. */
export const whatsappWindowErrorCode = 63016;

/** The configured fallback template. */
export interface WhatsAppTemplate {
  contentSid: string;
  variables?: Readonly<Record<string, string>>;
}

/**
 * Whether a free-form reply may go out now. The window is counted from the customer's last
 * inbound message (Twilio's `DateCreated`), so a turn answered more than 24 hours late — after
 * a long handoff or an outage — needs the template instead.
 */
export function whatsAppWindowOpen(lastInboundAt: number | null | undefined, now: number): boolean {
  if (lastInboundAt === null || lastInboundAt === undefined) return true;
  return isWhatsAppWindowOpen(new Date(lastInboundAt), new Date(now));
}

/** The template as an outbox reply; marked so its reply id says why it went. */
export function templateReply(template: WhatsAppTemplate, reason: string): OutboundReply {
  return {
    body: null,
    template: { contentSid: template.contentSid, variables: { ...(template.variables ?? {}) } },
    attributes: { switchboardTemplateReason: reason },
  };
}
