import type { ConsoleConversation } from "../console-deps.js";

/** What the composer says instead of a reply box in a conversation Twilio no longer has. */
export const goneComposerHint =
  "Replies are off: Twilio no longer has this conversation. The customer's next message starts a new one.";

/** The banner over a gone conversation: what happened, and what Twilio said. */
export function goneText(conversation: Pick<ConsoleConversation, "goneReason">): string {
  const said = conversation.goneReason ? ` (${conversation.goneReason})` : "";
  return `This conversation no longer exists in Twilio: it was deleted, or the dev emulator lost it${said}. Its history stays here; nothing can be sent to it.`;
}
