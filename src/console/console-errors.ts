import { SwitchboardError } from "../errors.js";

/** The conversation does not exist. `ConsoleDeps` functions throw it; the API answers 404. */
export class ConsoleNotFoundError extends SwitchboardError {
  readonly conversationSid: string;
  constructor(conversationSid: string) {
    super("conversation_not_found", `There is no conversation ${conversationSid}.`);
    this.conversationSid = conversationSid;
  }
}

/**
 * The action does not fit the conversation's state, e.g. retrying when nothing is
 * dead-lettered (`no_dead_letter`) or replying in a closed conversation
 * (`conversation_closed`). The API answers 409 with this code and message, so the message
 * should tell the operator what to do instead.
 */
export class ConsoleConflictError extends SwitchboardError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
