import { SwitchboardError } from "../errors.js";

/**
 * The conversation is closed and takes no more messages. `WebchatDeps.sendVisitorMessage`
 * throws it (or any `SwitchboardError` with this code) when Twilio refuses a message for
 * that reason; the API answers 409 `conversation_closed`.
 */
export class WebchatConversationClosedError extends SwitchboardError {
  readonly conversationSid: string;
  constructor(conversationSid: string) {
    super("conversation_closed", `Conversation ${conversationSid} is closed.`);
    this.conversationSid = conversationSid;
  }
}
