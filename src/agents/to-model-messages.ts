import type { ModelMessage } from "ai";
import type { HistoryMessage, InboundMedia, Turn } from "./types.js";

/**
 * The conversation as chat messages for a language model: the customer is the `user`, this
 * agent and human staff are the `assistant` (staff lines marked, so the model knows a
 * person already answered). Consecutive messages of one side are merged, since several
 * providers reject two user messages in a row; the turn comes last as a user message.
 * History entries that belong to the turn itself are dropped, should the caller pass them.
 * Messages from the customer's other channels are labelled with the channel and the time, so
 * the model continues the story without mistaking them for this conversation.
 */
export function toModelMessages(history: readonly HistoryMessage[], turn: Turn): ModelMessage[] {
  const turnSids = new Set(turn.messages.map((message) => message.messageSid));
  const lines: { role: "user" | "assistant"; text: string }[] = [];
  const push = (role: "user" | "assistant", text: string) => {
    if (text === "") return;
    const last = lines.at(-1);
    if (last?.role === role) last.text = `${last.text}\n\n${text}`;
    else lines.push({ role, text });
  };
  for (const message of history) {
    if (message.messageSid !== undefined && turnSids.has(message.messageSid)) continue;
    const text = elsewhereLabel(message) + withMediaNote(message.text, message.media ?? []);
    if (message.role === "customer") push("user", text);
    else push("assistant", message.role === "human" ? `[staff member] ${text}` : text);
  }
  push("user", withMediaNote(turn.text, turn.media) || "(empty message)");
  return lines.map((line) => ({ role: line.role, content: line.text }));
}

/**
 * Media is described here, not sent: Twilio media URLs need account credentials to fetch.
 * A voice note with a transcript reads as what was said; `aiSdkAgent` adds the turn's
 * images as image parts separately.
 */
function withMediaNote(text: string, media: readonly InboundMedia[]): string {
  if (media.length === 0) return text;
  const notes: string[] = [];
  const attached = media.filter((item) => item.transcript === undefined);
  for (const item of media) {
    if (item.transcript !== undefined) notes.push(`[voice note: ${item.transcript}]`);
  }
  if (attached.length > 0) {
    notes.push(
      `[attached: ${attached.map((item) => item.filename ?? item.contentType).join(", ")}]`,
    );
  }
  const note = notes.join("\n");
  return text === "" ? note : `${text}\n${note}`;
}

const channelNames = { sms: "SMS", whatsapp: "WhatsApp", chat: "web chat" } as const;

/** `[on SMS, 2026-01-01 10:00 UTC] ` for a message from another channel, else nothing. */
function elsewhereLabel(message: HistoryMessage): string {
  if (message.elsewhere === undefined) return "";
  const time = Number.isNaN(message.dateCreated.getTime())
    ? ""
    : `, ${message.dateCreated.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `[on ${channelNames[message.elsewhere.channel] ?? message.elsewhere.channel}${time}] `;
}
