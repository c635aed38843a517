/**
 * The fields of an `application/x-www-form-urlencoded` body as `[name, value, name, value, …]`,
 * decoded exactly as `new URLSearchParams(body)` decodes them, in one pass over the text.
 *
 * A webhook is a dozen fields of ASCII with a few `%XX` escapes: each piece is cut out of the
 * body and only pieces holding `+` or `%` are decoded (`decodeURIComponent`, native). Where
 * that decoder and the URL standard's differ — a malformed escape or invalid UTF-8, which the
 * standard turns into U+FFFD where `decodeURIComponent` throws, and a lone surrogate in the
 * text — the whole body goes through `URLSearchParams` instead, so the result is the same.
 */
export function formFields(body: string): string[] {
  if (loneSurrogateOrNot.test(body)) return viaUrlSearchParams(body);
  const fields: string[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf("&", start);
    if (end === -1) end = body.length;
    // Empty pieces (`a=1&&b=2`, a trailing `&`) are skipped, as the standard does.
    if (end > start) {
      const equals = body.indexOf("=", start);
      const split = equals === -1 || equals > end ? end : equals;
      const name = decoded(body.slice(start, split));
      const value = split === end ? "" : decoded(body.slice(split + 1, end));
      if (name === undefined || value === undefined) return viaUrlSearchParams(body);
      fields.push(name, value);
    }
    start = end + 1;
  }
  return fields;
}

/** Any surrogate: astral characters are rare in a percent-encoded body, lone ones rarer. */
const loneSurrogateOrNot = /[\uD800-\uDFFF]/;

/** `+` is a space; escapes are UTF-8. `undefined` when `decodeURIComponent` would throw. */
function decoded(piece: string): string | undefined {
  const text = piece.includes("+") ? piece.replaceAll("+", " ") : piece;
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function viaUrlSearchParams(body: string): string[] {
  const fields: string[] = [];
  for (const [name, value] of new URLSearchParams(body)) fields.push(name, value);
  return fields;
}
