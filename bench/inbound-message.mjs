// Shared by the benchmarks that fill a mailbox through its own API: one customer SMS.

/** A SID of `prefix` and 32 hex digits of `n`. */
export const benchSid = (prefix, n) => `${prefix}${n.toString(16).padStart(32, "0")}`;

/**
 * A customer SMS as a webhook would bring it, in conversation `conversation` (a number) with
 * Index `index`; `fields` override the rest (a unique `messageSid` is derived from both).
 */
export function inboundMessage(conversation, index = 0, fields = {}) {
  const now = Date.now();
  return {
    conversationSid: benchSid("CH", conversation),
    messageSid: `IM${conversation.toString(16).padStart(28, "0")}${index.toString(16).padStart(4, "0")}`,
    index,
    author: "+15551230001",
    body: "Hi, what are your opening hours?",
    media: [],
    attributes: {},
    channel: "sms",
    source: "SMS",
    dateCreated: now,
    receivedAt: now,
    role: "customer",
    customerAddress: "+15551230001",
    ...fields,
  };
}
