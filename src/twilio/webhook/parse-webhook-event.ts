import { ConfigError } from "../../errors.js";
import { WebhookParseError, WebhookSignatureError } from "../errors.js";
import type { TwilioLogger } from "../logger.js";
import type { WebhookEvent } from "./event-types.js";
import { formFields } from "./form-fields.js";
import {
  type ReadWebhookRequestOptions,
  readWebhookRequest,
  type WebhookInput,
  type WebhookRequest,
} from "./read-request.js";
import { validateParseOptions } from "./validate-parse-options.js";
import {
  parseSignatureSettings,
  type SignatureVerification,
  type SignedParams,
  signatureHeader,
  signatureSettingsHeader,
  verifyTwilioSignature,
} from "./verify-signature.js";
import { webhookEventFromParams } from "./webhook-event-from-params.js";

export interface ParseWebhookEventOptions extends ReadWebhookRequestOptions {
  /**
   * The most form fields a body may carry; default 200 (a Conversations event has a few
   * dozen). Counted on the raw text before any parsing, so a forged body of 100 000 keys
   * costs a scan, not a parse.
   */
  maxParams?: number | undefined;
  /** Verifies `X-Twilio-Signature`; default `TWILIO_AUTH_TOKEN` from `env`. */
  authToken?: string | undefined;
  /** Key for `HMAC_SHA256` signatures announced by `X-Twilio-Webhooks-Signature-Settings`. */
  sharedKey?: string | undefined;
  /**
   * The public URL Twilio called, exactly as configured there; default `TWILIO_WEBHOOK_URL`
   * from `env`, else the URL of the request itself.
   */
  url?: string | undefined;
  /** `false` skips signature verification — for tests and trusted internal relays only. */
  verify?: boolean | undefined;
  /** Where defaults are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Gets a debug line when a missing field (such as `DateCreated`) was defaulted. */
  logger?: TwilioLogger | undefined;
  /** Clock for the receive time that stands in for a missing `DateCreated`; default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Reads, verifies and parses one Conversations webhook into a typed `WebhookEvent`.
 *
 * Identity fields are required and the rest defaulted (see `webhookEventFromParams`): a
 * message without `DateCreated` is stamped with the receive time.
 *
 * Throws `WebhookSignatureError` (missing/forged signature — answer 403),
 * `WebhookParseError` (not a readable Conversations event — 400),
 * `WebhookPayloadTooLargeError` (413) and `ConfigError` (no token to verify with, or an
 * option no request could pass, such as `maxBodyBytes: -1` — 500).
 */
export async function parseWebhookEvent(
  input: WebhookInput,
  options: ParseWebhookEventOptions = {},
): Promise<WebhookEvent> {
  validateParseOptions(options, "parseWebhookEvent");
  refuseNonRequest(input);
  const receivedAt = new Date((options.now ?? Date.now)());
  // The cheap checks come first, from the headers alone: a request Twilio cannot have sent
  // is refused before its body is read, so a forged upload costs nothing but its headers.
  if (options.verify !== false) refuseUnsignable(input, options);
  const request = await readWebhookRequest(input, options);
  if (request.rawBody !== undefined) checkParamCount(request.rawBody, options.maxParams);
  const params = formParams(request);
  if (options.verify !== false) {
    const verification = verifyWebhookRequest(request, params.signed, options);
    if (!verification.valid) {
      const reason = failureReason(verification);
      // A form body re-sent under another type (a test client, a re-encoding proxy) fails
      // here, not at the type check below: name the type, or the URL advice misleads.
      throw new WebhookSignatureError(
        params.notForm === undefined
          ? reason
          : `${reason}; also, the body is not form-encoded (Content-Type: ${params.notForm}) while Twilio signs Conversations webhooks as application/x-www-form-urlencoded fields`,
        verification.urlsTried,
      );
    }
  }
  if (params.notForm !== undefined) {
    throw new WebhookParseError(
      `Webhook body is not application/x-www-form-urlencoded (Content-Type: ${params.notForm}); Conversations webhooks are form-encoded.`,
    );
  }
  return webhookEventFromParams(params.flat, {
    idempotencyToken: request.headers.get("i-twilio-idempotency-token") ?? undefined,
    receivedAt,
    logger: options.logger,
  });
}

/**
 * A value that is no request at all (undefined, a string, an object without headers) is a
 * malformed input — `WebhookParseError`, answered 400 — not a `TypeError` deep inside.
 */
function refuseNonRequest(input: unknown): void {
  if (input instanceof Request) return;
  const headers = (input as { headers?: unknown } | null | undefined)?.headers;
  if (
    typeof input === "object" &&
    input !== null &&
    typeof headers === "object" &&
    headers !== null
  )
    return;
  throw new WebhookParseError(
    `parseWebhookEvent takes a Fetch Request, a Node IncomingMessage or { url, headers, body }; got ${input === null ? "null" : typeof input === "object" ? "an object without headers" : typeof input}.`,
  );
}

/** Default of `maxParams`. */
export const defaultMaxParams = 200;

/** Base64 of a SHA-1 (28 characters) or SHA-256 (44) digest: what Twilio sends. */
const signatureShape = /^(?:[A-Za-z0-9+/]{27}=|[A-Za-z0-9+/]{43}=)$/;

/**
 * Refuses, from the headers alone, a request whose signature cannot be valid: none, one not
 * shaped like a digest, or an announced HMAC_SHA256 with no shared key configured (a forged
 * settings header is the caller's fault: 403, not a server error).
 */
function refuseUnsignable(input: WebhookInput, options: ParseWebhookEventOptions): void {
  const header = (name: string): string | undefined => {
    const headers = (input as { headers: unknown }).headers;
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
    return typeof value === "string" ? value : value?.[0];
  };
  const method = ((input as { method?: string }).method ?? "POST").toUpperCase();
  if (method === "GET" || method === "HEAD") return;
  const signature = header(signatureHeader);
  if (signature === undefined || signature === "") {
    throw new WebhookSignatureError(failureReason({ failure: "missing_signature" }), []);
  }
  if (!signatureShape.test(signature.trim())) {
    throw new WebhookSignatureError("X-Twilio-Signature is not a base64 HMAC digest", []);
  }
  const settings = parseSignatureSettings(header(signatureSettingsHeader));
  if (settings.unsupported !== undefined) {
    throw new WebhookSignatureError(failureReason({ failure: "unsupported_algorithm" }), []);
  }
  if (settings.algorithm === "HMAC_SHA256" && (options.sharedKey ?? "") === "") {
    throw new WebhookSignatureError(
      "X-Twilio-Webhooks-Signature-Settings announces HMAC_SHA256 but no sharedKey is configured (forged, or pass the webhook rule's shared key as sharedKey)",
      [],
    );
  }
}

/** Counts `&`-separated fields without building them. */
function checkParamCount(rawBody: string, maxParams = defaultMaxParams): void {
  let fields = rawBody === "" ? 0 : 1;
  for (let at = rawBody.indexOf("&"); at !== -1; at = rawBody.indexOf("&", at + 1)) {
    fields += 1;
    if (fields > maxParams) {
      throw new WebhookParseError(
        `Webhook body has more than ${maxParams} fields (maxParams); Conversations events have a few dozen.`,
      );
    }
  }
}

/** Checks the signature of an already-read request. */
export function verifyWebhookRequest(
  request: WebhookRequest,
  params: SignedParams,
  options: Pick<ParseWebhookEventOptions, "authToken" | "sharedKey" | "url" | "env">,
): SignatureVerification {
  const env = options.env ?? process.env;
  const authToken = options.authToken ?? nonEmpty(env.TWILIO_AUTH_TOKEN);
  const verify = (url: string) =>
    verifyTwilioSignature({
      authToken,
      sharedKey: options.sharedKey,
      signature: request.headers.get(signatureHeader),
      signatureSettings: request.headers.get(signatureSettingsHeader),
      url,
      params,
      rawBody: request.rawBody,
    });

  let verification = verify(options.url ?? request.url);
  const environmentUrl = options.url === undefined ? nonEmpty(env.TWILIO_WEBHOOK_URL) : undefined;
  if (environmentUrl !== undefined) {
    // One variable serves every webhook route (pre- and post-events may use different
    // paths), so try it as given, then its public origin with this request's path, then
    // the request as seen. Each candidate still needs a valid HMAC, so trying more costs
    // nothing in safety.
    const candidates = [environmentUrl, withPathOf(environmentUrl, request.url), request.url];
    const urlsTried: string[] = [];
    for (const url of new Set(candidates)) {
      verification = verify(url);
      urlsTried.push(...verification.urlsTried);
      if (verification.valid || verification.failure !== "signature_mismatch") break;
    }
    verification = { ...verification, urlsTried };
  }

  if (verification.failure === "missing_key") {
    throw new ConfigError(
      verification.algorithm === "HMAC_SHA256" ? "sharedKey" : "authToken",
      verification.algorithm === "HMAC_SHA256"
        ? "A webhook was signed with HMAC_SHA256 but no sharedKey is configured; pass the webhook rule's shared key as sharedKey."
        : "Cannot verify X-Twilio-Signature: authToken (TWILIO_AUTH_TOKEN) is not set; find it in Twilio Console → Account Info. Pass verify: false only in tests.",
    );
  }
  return verification;
}

/** `https://public.example.com/a` + `http://10.0.0.5/b?c` → `https://public.example.com/b?c`. */
function withPathOf(publicUrl: string, requestUrl: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(publicUrl)?.[0];
  const path = requestUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  return origin === undefined ? publicUrl : `${origin}${path}`;
}

interface FormParams {
  /** For the signature: repeated keys keep every value. */
  signed: Record<string, string | string[]>;
  /** For the event: one value per key (the last, as most form parsers do). */
  flat: Record<string, string>;
  /** The offending content type when the body is not a form. */
  notForm: string | undefined;
}

function formParams(request: WebhookRequest): FormParams {
  const signed: Record<string, string | string[]> = {};
  const flat: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const existing = signed[name];
    if (existing === undefined) signed[name] = value;
    else if (typeof existing === "string") signed[name] = [existing, value];
    else existing.push(value);
    flat[name] = value;
  };

  // GET webhooks carry the fields in the query string, which the URL already signs.
  if (request.method === "GET" || request.method === "HEAD") {
    const query = request.url.indexOf("?");
    if (query !== -1) {
      for (const [name, value] of new URLSearchParams(request.url.slice(query + 1)))
        flat[name] = value;
    }
    return { signed: {}, flat, notForm: undefined };
  }

  const contentType = request.headers.get("content-type");
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  const isForm =
    mediaType === undefined ||
    mediaType === "" ||
    mediaType === "application/x-www-form-urlencoded";
  if (!isForm) return { signed, flat, notForm: contentType ?? undefined };

  if (request.rawBody !== undefined) {
    const fields = formFields(request.rawBody);
    for (let at = 0; at < fields.length; at += 2)
      add(fields[at] as string, fields[at + 1] as string);
    return { signed, flat, notForm: undefined };
  }
  for (const [name, value] of Object.entries(request.parsedBody ?? {})) {
    if (typeof value === "string") add(name, value);
    else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      for (const item of value) add(name, item);
    } else {
      throw new WebhookParseError(
        `Webhook field ${name} is not a string; form fields always are.`,
        {
          field: name,
        },
      );
    }
  }
  return { signed, flat, notForm: undefined };
}

function failureReason(
  verification: Pick<SignatureVerification, "failure"> & Partial<SignatureVerification>,
): string {
  switch (verification.failure) {
    case "missing_signature":
      return "the X-Twilio-Signature header is missing (not from Twilio, or stripped by a proxy)";
    case "unsupported_algorithm":
      return "X-Twilio-Webhooks-Signature-Settings names an algorithm this version does not support";
    case "body_hash_mismatch":
      return "the body does not match the bodySHA256 in the URL";
    default:
      return `the ${verification.algorithm} signature matches none of the URL forms`;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
