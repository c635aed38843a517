import type { Turn } from "../agents/types.js";
import type { Lease } from "../mailbox/mailbox-store.js";

/** A lease as the agent's turn. */
export function turnOf(lease: Lease): Turn {
  const first = lease.messages[0]!;
  const messages = lease.messages.map((message) => ({
    messageSid: message.messageSid,
    index: message.index,
    body: message.body ?? "",
    media: message.media.map((media) => ({
      sid: media.sid,
      contentType: media.contentType,
      ...(media.filename ? { filename: media.filename } : {}),
      ...(typeof media.size === "number" ? { size: media.size } : {}),
    })),
    dateCreated: new Date(message.dateCreated),
    attributes: message.attributes,
  }));
  const turn: Turn = {
    conversationSid: lease.conversationSid,
    messages,
    text: messages
      .map((message) => message.body)
      .filter((body) => body !== "")
      .join("\n"),
    channel: lease.conversation.channel ?? first.channel,
    author: first.author,
    media: messages.flatMap((message) => message.media),
  };
  if (first.participantSid !== undefined) turn.participantSid = first.participantSid;
  return turn;
}
