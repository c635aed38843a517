/**
 * The message attribute that carries a reply's id. Twilio keeps attributes on the message,
 * so after an ambiguous send the runtime can list recent messages and tell whether the
 * reply already exists; the same mark lets it recognise its own messages coming back.
 */
export const replyIdAttribute = "switchboardReplyId";

/** The reply id in a message's attributes, if any. */
export function replyIdOf(attributes: unknown): string | undefined {
  if (typeof attributes === "string") {
    if (!attributes.includes(replyIdAttribute)) return undefined;
    try {
      return replyIdOf(JSON.parse(attributes));
    } catch {
      return undefined;
    }
  }
  if (typeof attributes !== "object" || attributes === null) return undefined;
  const value = (attributes as Record<string, unknown>)[replyIdAttribute];
  return typeof value === "string" ? value : undefined;
}

/**
 * Marks a text the web chat's customer features sent through the outbox: `"verify"` (a
 * one-time code) or `"continue"`. A code's text is never shown to the agent or an operator.
 */
export const customerTextAttribute = "switchboardCustomerText";

/** What the agent and the console show instead of a verification code's text. */
export const verificationCodeStandIn = "[verification code sent]";

/**
 * The text of one of our replies as anyone but its recipient may see it (the agent, an
 * operator): a one-time code is the customer's secret, even spent, so it becomes
 * `verificationCodeStandIn`; any other reply shows as it is.
 */
export function shownReplyText<Body extends string | null>(reply: {
  body: Body;
  attributes?: Readonly<Record<string, unknown>> | null | undefined;
}): Body | typeof verificationCodeStandIn {
  return reply.attributes?.[customerTextAttribute] === "verify"
    ? verificationCodeStandIn
    : reply.body;
}
