import type { Channel } from "./address.js";
import { markdownToPlainText } from "./markdown-to-plain-text.js";
import { markdownToWhatsApp } from "./markdown-to-whatsapp.js";
import { preferGsm7 } from "./prefer-gsm7.js";
import { type SmsSegments, smsSegments } from "./sms-segments.js";
import { splitMessage } from "./split-message.js";

/** Twilio's cap on an outbound SMS or WhatsApp body, in characters (error 21617 beyond). */
export const SMS_BODY_LIMIT = 1600;
/** Twilio's cap on a chat message body: 32 KB. */
export const CHAT_BODY_BYTES = 32 * 1024;
/** WhatsApp allows free-form replies for 24 hours after the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

// A UTF-16 code unit is at most 3 bytes of UTF-8, so parts of this many units always fit.
const chatSafeUnits = Math.floor(CHAT_BODY_BYTES / 3);

/** Options of {@link shapeForChannel}. */
export interface ShapeOptions {
  /** Append " (1/3)" markers when a reply needs several messages. Default false. */
  markers?: boolean;
  /** A lower per-part limit than the channel's (never a higher one). */
  limit?: number;
  /**
   * SMS only: replace typographic characters (curly quotes, dashes, "…", odd spaces) with
   * GSM-7 ones when that keeps a part in GSM-7 — 160 characters a segment instead of 70.
   * Text that needs UCS-2 anyway (emoji, non-Latin scripts) is left alone. Default true.
   */
  preferGsm7?: boolean;
}

/** A reply ready to send: one body per message, in order. */
export interface ShapedReply {
  parts: string[];
  /** SMS only: the encoding and segment count of each part, for logs and metrics. */
  segments?: SmsSegments[];
}

/**
 * Turns an agent's (markdown) reply into the bodies to send on a channel:
 * - SMS: plain text, typographic characters made GSM-7 where that keeps a part in GSM-7
 *   (see {@link preferGsm7}), split at 1600 characters, with each part's segment count;
 * - WhatsApp: WhatsApp formatting, split at 1600 characters;
 * - chat: unchanged while within 32 KB, split beyond.
 *
 * Splits fall on paragraph, sentence or word boundaries; nothing is truncated. Blank text
 * gives no parts. Whether a WhatsApp reply may be free text at all is the caller's
 * decision ({@link isWhatsAppWindowOpen}).
 */
export function shapeForChannel(
  channel: Channel,
  text: string,
  options: ShapeOptions = {},
): ShapedReply {
  const markers = options.markers ?? false;
  const limitFor = (channelLimit: number) => Math.min(options.limit ?? channelLimit, channelLimit);
  switch (channel) {
    case "sms": {
      const limit = limitFor(SMS_BODY_LIMIT);
      const gsm7 = options.preferGsm7 ?? true;
      const plain = markdownToPlainText(text);
      const split = splitMessage(gsm7 ? preferGsm7(plain) : plain, { limit, markers });
      // When one part needs UCS-2 (an emoji), the others may still go out as GSM-7: each
      // part is its own message. Mapping can lengthen a part ("…" → "..."), so it must
      // still fit.
      const parts = gsm7
        ? split.map((part) => {
            const mapped = preferGsm7(part);
            return mapped.length <= limit ? mapped : part;
          })
        : split;
      return { parts, segments: parts.map((part) => smsSegments(part)) };
    }
    case "whatsapp":
      return {
        parts: splitMessage(markdownToWhatsApp(text), { limit: limitFor(SMS_BODY_LIMIT), markers }),
      };
    case "chat": {
      if (text.trim() === "") return { parts: [] };
      if (options.limit === undefined && Buffer.byteLength(text, "utf8") <= CHAT_BODY_BYTES) {
        return { parts: [text] };
      }
      return { parts: splitMessage(text, { limit: limitFor(chatSafeUnits), markers }) };
    }
    default:
      throw new TypeError(`shapeForChannel: unknown channel ${JSON.stringify(channel)}.`);
  }
}

/**
 * The one WhatsApp-window rule (the runtime's reply shaping uses it too): a free-form WhatsApp
 * message may be sent only within 24 hours of the customer's last inbound message (Twilio's
 * `DateCreated`; a `Date` or epoch ms). Outside it Twilio fails the send (63016) and an
 * approved template must go instead.
 *
 * Unknown last contact (`null`/`undefined`) counts as closed. WhatsApp allows free-form
 * messages only inside a window opened by the customer, so without a known customer message
 * there is no window to claim; a template is deliverable either way, while a free-form send
 * on a guess fails with 63016 and reaches the customer late, if at all. (A switchboard turn
 * always answers a customer message, so its conversation has a known last contact.)
 */
export function isWhatsAppWindowOpen(
  lastInboundAt: Date | number | null | undefined,
  now: Date | number,
): boolean {
  if (lastInboundAt === undefined || lastInboundAt === null) return false;
  const elapsed = Number(now) - Number(lastInboundAt);
  return elapsed < WHATSAPP_WINDOW_MS;
}
