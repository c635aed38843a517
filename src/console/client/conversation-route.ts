// The open conversation lives in the address's fragment (`#/conversations/CH…`): a
// reload or a shared link opens it again, and the server never sees it, so the page
// needs no route of its own per conversation.
const routePattern = /^#\/conversations\/(CH[0-9a-fA-F]{32})$/;

/** The conversation SID in a location hash, or `null`. */
export function conversationFromHash(hash: string): string | null {
  return routePattern.exec(hash)?.[1] ?? null;
}

/** The location hash that opens `sid` (`""` for none). */
export function hashForConversation(sid: string | null): string {
  return sid === null ? "" : `#/conversations/${sid}`;
}
