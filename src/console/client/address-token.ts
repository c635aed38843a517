/**
 * Takes the console token from `?token=` in the page address, and removes it from the
 * address bar (so it stays out of history, bookmarks and screenshots). Returns the token
 * or `null`; the caller keeps it in memory only.
 */
export function takeTokenFromAddress(
  location: Pick<Location, "search" | "pathname" | "hash">,
  history: Pick<History, "replaceState">,
): string | null {
  const params = new URLSearchParams(location.search);
  if (!params.has("token")) return null;
  const token = params.get("token");
  params.delete("token");
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  return token || null;
}
