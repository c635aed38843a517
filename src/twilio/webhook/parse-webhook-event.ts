import { ConfigError } from "../../errors.js";
import { WebhookParseError, WebhookSignatureError } from "../errors.js";
import type { TwilioLogger } from "../logger.js";
import type { WebhookEvent } from "./event-types.js";
import {
  type ReadWebhookRequestOptions,
  readWebhookRequest,
  type WebhookInput,
  type WebhookRequest,
} from "./read-request.js";
import {
  type SignatureVerification,
  type SignedParams,
  signatureHeader,
  signatureSettingsHeader,
  verifyTwilioSignature,
} from "./verify-signature.js";
import { webhookEventFromParams } from "./webhook-event-from-params.js";

export interface ParseWebhookEventOptions extends ReadWebhookRequestOptions {
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
 * `WebhookPayloadTooLargeError` (413) and `ConfigError` (no token to verify with — 500).
 */
export async function parseWebhookEvent(
  input: WebhookInput,
  options: ParseWebhookEventOptions = {},
): Promise<WebhookEvent> {
  const receivedAt = new Date((options.now ?? Date.now)());
  const request = await readWebhookRequest(input, options);
  const params = formParams(request);
  if (options.verify !== false) {
    const verification = verifyWebhookRequest(request, params.signed, options);
    if (!verification.valid) {
      throw new WebhookSignatureError(failureReason(verification), verification.urlsTried);
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
    for (const [name, value] of new URLSearchParams(request.rawBody)) add(name, value);
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

function failureReason(verification: SignatureVerification): string {
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
