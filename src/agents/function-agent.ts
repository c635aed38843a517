import { normalizeReply } from "./normalize-reply.js";
import type { Agent, AgentContext, Reply, Turn } from "./types.js";

/** The function behind {@link functionAgent}: may answer a bare string for `{ text }`. */
export type AgentFunction = (
  turn: Turn,
  context: AgentContext,
) => Reply | string | Promise<Reply | string>;

/**
 * An agent from a plain function — the shortest way to plug in your own logic.
 *
 * ```ts
 * const agent = functionAgent((turn) => `You said: ${turn.text}`);
 * ```
 *
 * What the function answers is checked ({@link normalizeReply}); a malformed answer throws
 * `InvalidReplyError` rather than sending something half-formed.
 */
export function functionAgent(respond: AgentFunction): Agent {
  if (typeof respond !== "function") {
    throw new TypeError(
      "functionAgent(respond): respond must be a function (turn, context) => reply.",
    );
  }
  return {
    async respond(turn, context) {
      return normalizeReply(await respond(turn, context));
    },
  };
}
