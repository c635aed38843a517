/**
 * Takes the console token from the page address — `#token=…` (a fragment never reaches the
 * server, so it stays out of proxy and access logs: the form to hand out) or `?token=…` —
 * and removes it from the address bar (so it stays out of history, bookmarks and
 * screenshots). Returns the token or `null`; the caller keeps it in memory only.
 */
export function takeTokenFromAddress(
  location: Pick<Location, "search" | "pathname" | "hash">,
  history: Pick<History, "replaceState">,
): string | null {
  const params = new URLSearchParams(location.search);
  const fragment = location.hash.startsWith("#token=")
    ? decoded(location.hash.slice("#token=".length))
    : null;
  if (fragment === null && !params.has("token")) return null;
  const token = fragment ?? params.get("token");
  params.delete("token");
  const query = params.toString();
  const hash = fragment === null ? location.hash : "";
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${hash}`);
  return token || null;
}

/** A percent-encoded value, or the raw text when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
