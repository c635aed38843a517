import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../http/types.js";

/** Default and maximum page sizes per list, as Twilio documents them. */
export const pageSizes = {
  standard: { default: 50, maximum: 100 },
  small: { default: 50, maximum: 50 },
  conversationWebhooks: { default: 5, maximum: 5 },
} as const;

/**
 * One page of a list in Twilio's shape: `{ [key]: items, meta }`. `PageToken` is `PT` +
 * the SID after which the page starts (`PB` + the SID before which it ends, for previous
 * pages), so paging stays stable while records are added; a stale token falls back to
 * `Page`. Filters in the query are kept in every `meta` URL.
 */
export function paginate<Item extends { sid: string }>(
  request: EmulatorRequest,
  listUrl: string,
  key: string,
  items: readonly Item[],
  toJson: (item: Item) => unknown,
  sizes: { default: number; maximum: number },
): EmulatorResponse {
  const size = readInteger(request.query.get("PageSize"), "PageSize", 1) ?? sizes.default;
  // Twilio's OpenAPI file gives every list's `PageSize` a `maximum`; a larger value is
  // outside the schema and refused rather than silently shrunk.
  if (size > sizes.maximum) throw twilioErrors.pageSizeTooLarge(sizes.maximum);
  const page = readInteger(request.query.get("Page"), "Page", 0) ?? 0;
  const token = request.query.get("PageToken");
  let start = page * size;
  if (token?.startsWith("PT")) {
    const after = items.findIndex((item) => item.sid === token.slice(2));
    if (after >= 0) start = after + 1;
  } else if (token?.startsWith("PB")) {
    const before = items.findIndex((item) => item.sid === token.slice(2));
    if (before >= 0) start = Math.max(0, before - size);
  }
  const slice = items.slice(start, start + size);
  const filters = new URLSearchParams(request.query);
  for (const name of ["PageSize", "Page", "PageToken"]) filters.delete(name);
  const pageUrl = (pageNumber: number, pageToken?: string) => {
    const query = new URLSearchParams(filters);
    query.set("PageSize", String(size));
    query.set("Page", String(pageNumber));
    if (pageToken) query.set("PageToken", pageToken);
    return `${listUrl}?${query.toString()}`;
  };
  const last = slice.at(-1);
  const first = slice[0];
  const hasNext = last !== undefined && start + size < items.length;
  return {
    status: 200,
    body: {
      [key]: slice.map(toJson),
      meta: {
        page,
        page_size: size,
        first_page_url: pageUrl(0),
        previous_page_url: page > 0 && first ? pageUrl(page - 1, `PB${first.sid}`) : null,
        url: pageUrl(page, token ?? undefined),
        next_page_url: hasNext ? pageUrl(page + 1, `PT${last.sid}`) : null,
        key,
      },
    },
  };
}

function readInteger(value: string | null, name: string, minimum: number): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum)
    throw twilioErrors.invalidParameter(name, `must be an integer of at least ${minimum}`);
  return Number(value);
}
