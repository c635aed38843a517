import { SwitchboardError } from "../errors.js";

/**
 * Twilio no longer has the conversation (it answered 404: deleted in the Twilio console, or
 * the dev emulator lost it). `WebchatDeps` functions addressed to a conversation throw it (or
 * any `SwitchboardError` with this code); the API then gives the visitor a fresh conversation
 * at the next session call, and answers 409 `conversation_gone` to a message or a stream, on
 * which the widget renews its session without asking the visitor.
 */
export class WebchatConversationGoneError extends SwitchboardError {
  readonly conversationSid: string;
  constructor(conversationSid: string, options: { cause?: unknown } = {}) {
    super("conversation_gone", `Conversation ${conversationSid} no longer exists.`, options);
    this.conversationSid = conversationSid;
  }
}

/** Whether `error` is {@link WebchatConversationGoneError} or carries its code. */
export function isWebchatConversationGone(error: unknown): boolean {
  return SwitchboardError.isSwitchboardError(error) && error.code === "conversation_gone";
}
