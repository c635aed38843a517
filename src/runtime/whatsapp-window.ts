import type { OutboundReply } from "../mailbox/mailbox-store.js";

/** Twilio's error for a free-form WhatsApp message outside the 24-hour window. */
export const whatsappWindowErrorCode = 63016;

/** The configured fallback template. */
export interface WhatsAppTemplate {
  contentSid: string;
  variables?: Readonly<Record<string, string>>;
}

/** The template as an outbox reply; marked so its reply id says why it went. */
export function templateReply(template: WhatsAppTemplate, reason: string): OutboundReply {
  return {
    body: null,
    template: { contentSid: template.contentSid, variables: { ...(template.variables ?? {}) } },
    attributes: { switchboardTemplateReason: reason },
  };
}
