import type { IncomingMessage, ServerResponse } from "node:http";
import { ConfigError } from "../errors.js";
import { asObject, methodNotAllowed, readJsonBody, sendJson } from "../http/json-http.js";
import { RequestError } from "../http/request-error.js";
import { createTokenBucket, type TokenBucketOptions } from "../http/token-bucket.js";
import { maskAddress } from "../log/mask-phone-numbers.js";
import type { PhoneVerification } from "./phone-verification.js";
import type { SignedIdentityVerifier } from "./signed-identity.js";
import type { VisitorTokenClaims } from "./visitor-token.js";

/** The web chat's customer features: proving a number, continuing on another channel. */
export interface WebchatCustomerOptions {
  /** The phone verification flow (`createPhoneVerification`); absent: not offered. */
  verification?: PhoneVerification;
  /**
   * The business's WhatsApp number (E.164, e.g. `+14155238886`): the widget offers a
   * click-to-chat link `https://wa.me/<number>?text=…` carrying a short reference to the
   * chat. Absent: not offered.
   */
  whatsappNumber?: string;
  /**
   * "Continue by SMS": the visitor's verified SMS number (null when none), and the text
   * sender (the outbox). Absent: not offered.
   */
  continueBySms?: {
    verifiedNumber(identity: string): Promise<string | null>;
    sendText(
      address: { kind: "sms"; value: string },
      text: string,
      key: string,
    ): Promise<"queued" | "opted-out">;
  };
  /**
   * The application vouches for a visitor (`POST /webchat/identify` `{ identity }`, a
   * `signVisitorIdentity` string): the vouched id is linked as an `app` address of the
   * visitor's customer. Absent: not offered.
   */
  signedIdentity?: {
    verifier: SignedIdentityVerifier;
    link(visitorIdentity: string, appId: string): Promise<void>;
  };
  /** "Continue by SMS" texts per visitor: a burst of 2, refilled over 10 minutes by default. */
  continueRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  now?: () => number;
}

/** The paths of the customer routes, under the web chat API. */
export const webchatCustomerPaths = {
  verify: "/webchat/verify",
  verifyConfirm: "/webchat/verify/confirm",
  identify: "/webchat/identify",
  continue: "/webchat/continue",
  continueSms: "/webchat/continue/sms",
} as const;

/** A short, non-secret reference to a chat: what a person can quote on another channel. */
export function chatReference(conversationSid: string): string {
  return `WC-${conversationSid.slice(-6).toUpperCase()}`;
}

/**
 * The routes behind the widget's "verify your phone" and "continue on WhatsApp / by SMS".
 * `claims` are the caller's verified visitor token. Resolves false for a path not its own.
 *
 * The chat reference in a continue message only helps a person find the chat: it never
 * links anything (anyone can type it), so a WhatsApp message quoting it reaches a customer
 * of its own unless the number is verified or the same number already is.
 */
export function createWebchatCustomerRoutes(options: WebchatCustomerOptions) {
  const whatsappNumber = options.whatsappNumber;
  if (whatsappNumber !== undefined && !/^\+[1-9]\d{6,14}$/.test(whatsappNumber)) {
    throw new ConfigError(
      "webchat.whatsappNumber",
      "webchat.whatsappNumber must be the business's WhatsApp number in E.164, like +14155238886.",
    );
  }
  const continueLimit = createTokenBucket({
    capacity: 2,
    refillMs: 10 * 60_000,
    ...options.continueRate,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const identifyLimit = createTokenBucket({
    capacity: 10,
    refillMs: 10 * 60_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const readLimit = createTokenBucket({
    capacity: 20,
    refillMs: 60_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  return async function handle(
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
    input: {
      claims: () => VisitorTokenClaims;
      conversationSid: (claims: VisitorTokenClaims) => string;
      client: string;
      cors: Record<string, string>;
      maxBodyBytes: number;
    },
  ): Promise<boolean> {
    const { cors } = input;
    if (path === webchatCustomerPaths.verify || path === webchatCustomerPaths.verifyConfirm) {
      if (request.method !== "POST") throw methodNotAllowed(["POST"]);
      const verification = options.verification;
      if (verification === undefined) {
        throw new RequestError(404, "not_offered", "Phone verification is not offered here.");
      }
      const claims = input.claims();
      const body = asObject(await readJsonBody(request, input.maxBodyBytes));
      if (path === webchatCustomerPaths.verify) {
        const started = await verification.start({
          identity: claims.identity,
          phone: body.phone,
          channel: body.channel,
          client: input.client,
        });
        sendJson(response, 202, started, cors);
      } else {
        const proven = await verification.confirm({
          identity: claims.identity,
          challenge: body.challenge,
          code: body.code,
        });
        sendJson(
          response,
          200,
          { verified: true, channel: proven.channel, number: maskAddress(proven.address) },
          cors,
        );
      }
      return true;
    }
    if (path === webchatCustomerPaths.identify) {
      if (request.method !== "POST") throw methodNotAllowed(["POST"]);
      const signed = options.signedIdentity;
      if (signed === undefined)
        throw new RequestError(404, "not_offered", "Signed identities are not accepted here.");
      const claims = input.claims();
      const allowed = identifyLimit.take(claims.identity);
      if (!allowed.allowed) {
        throw new RequestError(429, "rate_limited", "Too many identity checks; try again later.", {
          retryAfterSeconds: Math.max(1, Math.ceil(allowed.retryAfterMs / 1000)),
        });
      }
      const body = asObject(await readJsonBody(request, input.maxBodyBytes));
      const appId = signed.verifier.verify(body.identity);
      await signed.link(claims.identity, appId);
      sendJson(response, 200, { identified: true }, cors);
      return true;
    }
    if (path === webchatCustomerPaths.continue) {
      if (request.method !== "GET") throw methodNotAllowed(["GET"]);
      const claims = input.claims();
      // Each read may ask the mailbox: budgeted per visitor like stream reconnects.
      const allowed = readLimit.take(claims.identity);
      if (!allowed.allowed) {
        throw new RequestError(429, "rate_limited", "Too many requests; try again shortly.", {
          retryAfterSeconds: Math.max(1, Math.ceil(allowed.retryAfterMs / 1000)),
        });
      }
      const reference = chatReference(input.conversationSid(claims));
      const sms =
        options.continueBySms === undefined
          ? null
          : await options.continueBySms.verifiedNumber(claims.identity);
      sendJson(
        response,
        200,
        {
          reference,
          whatsapp:
            whatsappNumber === undefined
              ? null
              : {
                  url: `https://wa.me/${whatsappNumber.slice(1)}?text=${encodeURIComponent(
                    `Hi, continuing our web chat (ref ${reference}).`,
                  )}`,
                },
          sms: sms === null ? null : { number: maskAddress(sms) },
          canVerify: options.verification !== undefined,
        },
        cors,
      );
      return true;
    }
    if (path === webchatCustomerPaths.continueSms) {
      if (request.method !== "POST") throw methodNotAllowed(["POST"]);
      const claims = input.claims();
      const conversationSid = input.conversationSid(claims);
      request.resume();
      const bySms = options.continueBySms;
      if (bySms === undefined) {
        throw new RequestError(404, "not_offered", "Continuing by SMS is not offered here.");
      }
      const number = await bySms.verifiedNumber(claims.identity);
      if (number === null) {
        throw new RequestError(
          409,
          "not_verified",
          "Verify your phone number first; we only text a number you proved is yours.",
        );
      }
      const allowed = continueLimit.take(claims.identity);
      if (!allowed.allowed) {
        throw new RequestError(429, "rate_limited", "Too many texts; try again later.", {
          retryAfterSeconds: Math.max(1, Math.ceil(allowed.retryAfterMs / 1000)),
        });
      }
      const reference = chatReference(conversationSid);
      const outcome = await bySms.sendText(
        { kind: "sms", value: number },
        `Continuing our web chat (ref ${reference}): reply to this text and we will pick up where we left off.`,
        `continue-${conversationSid}-${(options.now ?? Date.now)().toString(36)}`,
      );
      if (outcome === "opted-out") {
        throw new RequestError(
          409,
          "opted_out",
          "This number asked not to receive texts from us; text START to it first.",
        );
      }
      sendJson(response, 202, { sent: true, number: maskAddress(number), reference }, cors);
      return true;
    }
    return false;
  };
}
