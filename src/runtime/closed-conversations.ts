import type { MailboxStore } from "../mailbox/mailbox-store.js";

/** The meta key holding recently closed conversations: `{ "CH…": closedAtMs }` as JSON. */
export const closedConversationsMetaKey = "catchUp.closedConversations";

/**
 * Conversations known to be closed, so catch-up stops listing their messages (closed is
 * final in Twilio: nothing new can arrive). Kept in the mailbox's meta as one small JSON
 * map; entries older than `horizonMs` are dropped, because by then catch-up skips the
 * conversation as idle anyway. Best effort: two writers racing lose an entry, which only
 * costs a listing.
 */
export async function readClosedConversations(mailbox: MailboxStore): Promise<Map<string, number>> {
  const raw = await mailbox.getMeta(closedConversationsMetaKey);
  const closed = new Map<string, number>();
  if (raw === null) return closed;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null)
      for (const [sid, at] of Object.entries(parsed))
        if (typeof at === "number") closed.set(sid, at);
  } catch {
    // A damaged value is as good as none: conversations are listed again.
  }
  return closed;
}

/** Records `conversationSids` as closed at `now`, dropping entries older than `horizonMs`. */
export async function rememberClosedConversations(
  mailbox: MailboxStore,
  conversationSids: readonly string[],
  now: number,
  horizonMs: number = 7 * 24 * 60 * 60_000,
): Promise<void> {
  const closed = await readClosedConversations(mailbox);
  const before = closed.size;
  let added = 0;
  for (const sid of conversationSids)
    if (!closed.has(sid)) {
      closed.set(sid, now);
      added += 1;
    }
  for (const [sid, at] of closed) if (at < now - horizonMs) closed.delete(sid);
  if (added === 0 && closed.size === before) return;
  await mailbox.setMeta(closedConversationsMetaKey, JSON.stringify(Object.fromEntries(closed)));
}
