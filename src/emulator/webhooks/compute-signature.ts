import { createHmac } from "node:crypto";

/**
 * Form parameters as signed: one string per name, or several for a repeated name
 * (`Filters=a&Filters=b`).
 */
export type SignatureParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * Computes `X-Twilio-Signature` the way Twilio does: the exact URL the request goes to
 * (scheme, host, port if any, path and query), then every form parameter sorted by name
 * as `name + value` with no separators, HMAC-SHA1 keyed with the Auth Token, base64.
 *
 * A repeated parameter contributes `name + value` once per distinct value, values sorted.
 * Twilio's own validator drops duplicate values before sorting, so we do the same: a
 * signature the official SDK would reject would make the emulator useless as a stand-in.
 * Names and values are compared in UTF-16 code-unit order (JavaScript's default sort),
 * again to match the SDK byte for byte.
 *
 * For a GET delivery the parameters travel in the URL's query, so pass `{}` and the full
 * URL including that query.
 */
export function computeSignature(
  authToken: string,
  url: string,
  params: SignatureParams = {},
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    if (typeof value === "string") {
      data += name + value;
      continue;
    }
    for (const each of [...new Set(value)].sort()) data += name + each;
  }
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}
