import type { Channel } from "./channel.js";

/**
 * What a channel can carry, told to the agent so one set of instructions fits every
 * channel: buttons on WhatsApp, numbered options on SMS, markdown on web chat.
 */
export interface ChannelCapabilities {
  /** Media the customer can send: the runtime hands it to the agent as typed parts. */
  mediaIn: { image: boolean; audio: boolean; document: boolean };
  /** Whether a reply may carry media (images, documents). */
  mediaOut: boolean;
  /**
   * How a reply's choices reach the customer: tappable `buttons` (WhatsApp quick replies
   * and lists, web chat buttons) or `numbered-text` (SMS: "1. …", answered with "2").
   */
  choices: "buttons" | "numbered-text";
  /** The most quick-reply buttons one message shows (WhatsApp session: 3). */
  maxQuickReplies: number;
  /** The most options in one list. */
  maxListOptions: number;
  /** How text is formatted: `markdown` as written, WhatsApp's `*bold*`, or `plain`. */
  formatting: "markdown" | "whatsapp" | "plain";
  /** Characters in one message before the runtime splits it into several. */
  maxMessageCharacters: number;
  /**
   * A comfortable reply length in characters (SMS: one or two segments cost less); the
   * agent is asked to stay under it, never cut at it.
   */
  preferredCharacters: number;
}

const defaults: Readonly<Record<Channel, ChannelCapabilities>> = {
  // Twilio Conversations caps an SMS/MMS body at 1,600 characters; a GSM-7 segment holds
  // 160 and a concatenated one 153, so two segments keep a reply cheap.
  sms: {
    mediaIn: { image: true, audio: true, document: true },
    mediaOut: true,
    choices: "numbered-text",
    maxQuickReplies: 10,
    maxListOptions: 10,
    formatting: "plain",
    maxMessageCharacters: 1600,
    preferredCharacters: 306,
  },
  // WhatsApp session quick replies allow 3 buttons and lists 10 rows (Twilio Content API).
  whatsapp: {
    mediaIn: { image: true, audio: true, document: true },
    mediaOut: true,
    choices: "buttons",
    maxQuickReplies: 3,
    maxListOptions: 10,
    formatting: "whatsapp",
    maxMessageCharacters: 1600,
    preferredCharacters: 700,
  },
  chat: {
    mediaIn: { image: true, audio: true, document: true },
    mediaOut: true,
    choices: "buttons",
    maxQuickReplies: 10,
    maxListOptions: 10,
    formatting: "markdown",
    maxMessageCharacters: 10_000,
    preferredCharacters: 1200,
  },
};

/** switchboard's capabilities for a channel; the runtime may narrow them per deployment. */
export function defaultChannelCapabilities(channel: Channel): ChannelCapabilities {
  const found = defaults[channel];
  if (found === undefined) {
    throw new RangeError(`Unknown channel "${String(channel)}"; expected sms, whatsapp or chat.`);
  }
  return { ...found, mediaIn: { ...found.mediaIn } };
}

/**
 * One compact line for a system prompt, e.g. `Channel: sms. Formatting: plain text, no
 * markdown. Choices: numbered text options (up to 10). …`.
 */
export function describeChannelCapabilities(
  channel: Channel,
  capabilities: ChannelCapabilities,
): string {
  const formatting = {
    markdown: "markdown is rendered",
    whatsapp: "WhatsApp style (*bold*, _italic_), no headings or tables",
    plain: "plain text, no markdown",
  }[capabilities.formatting];
  const choices =
    capabilities.choices === "buttons"
      ? `tappable buttons (up to ${capabilities.maxQuickReplies}) or a list (up to ${capabilities.maxListOptions})`
      : `numbered text options (up to ${capabilities.maxListOptions}); the customer answers with a number`;
  const mediaIn = (["image", "audio", "document"] as const)
    .filter((kind) => capabilities.mediaIn[kind])
    .join(", ");
  return [
    `Channel: ${channel}.`,
    `Formatting: ${formatting}.`,
    `Choices: ${choices}.`,
    `Customer can send: ${mediaIn === "" ? "text only" : `text, ${mediaIn}`}.`,
    `Keep replies under ${capabilities.preferredCharacters} characters (hard limit ${capabilities.maxMessageCharacters} per message).`,
  ].join(" ");
}
