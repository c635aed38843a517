import type { HistoryMessage } from "../agents/types.js";
import type { Choices } from "../channel/choices.js";
import type { HistoryEntry } from "../mailbox/mailbox-store.js";
import { renderChoicesAsText } from "../twilio/channels/render-choices-as-text.js";
import { replyIdOf, shownReplyText } from "./reply-attributes.js";
import { choicesAttribute } from "./reply-shaping.js";

/**
 * The mailbox's history as the agent sees it, oldest first: customer messages, our replies
 * (as `agent`), other bots' messages (as `agent` too: automated, not the customer) and
 * operators' messages (as `human`). The turn's own messages are left out (they are the turn),
 * and so are customer messages still waiting for a later turn and replies that failed.
 */
export function agentHistory(
  entries: readonly HistoryEntry[],
  turnMessageSids: ReadonlySet<string>,
  limit: number,
): HistoryMessage[] {
  const history: HistoryMessage[] = [];
  for (const entry of entries) {
    if (entry.direction === "outbound") {
      if (entry.status === "failed") continue;
      // A WhatsApp choices template has no body: the agent reads the options it offered.
      const offered = entry.attributes?.[choicesAttribute] as Choices | undefined;
      const text =
        shownReplyText(entry) ??
        (typeof offered === "object" && offered !== null ? optionsText(offered) : "");
      const message: HistoryMessage = {
        role: "agent",
        text,
        dateCreated: new Date(entry.createdAt),
      };
      if (entry.messageSid !== null) message.messageSid = entry.messageSid;
      history.push(message);
      continue;
    }
    if (turnMessageSids.has(entry.messageSid)) continue;
    // Our own reply seen again (an echo or a catch-up listing): the outbound entry has it.
    if (replyIdOf(entry.attributes) !== undefined) continue;
    if (entry.role === "customer" && entry.status === "pending") continue;
    const message: HistoryMessage = {
      role: entry.role === "customer" ? "customer" : entry.role === "human" ? "human" : "agent",
      text: entry.body ?? "",
      dateCreated: new Date(entry.dateCreated),
      messageSid: entry.messageSid,
      author: entry.author,
    };
    if (entry.media.length > 0)
      message.media = entry.media.map((media) => ({
        sid: media.sid,
        contentType: media.contentType,
      }));
    history.push(message);
  }
  return history.slice(Math.max(0, history.length - limit));
}

/** The options as numbered text, or nothing when the stored value is not choices. */
function optionsText(choices: Choices): string {
  try {
    return renderChoicesAsText(choices);
  } catch {
    return "";
  }
}
