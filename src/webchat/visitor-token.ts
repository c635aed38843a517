import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { ConfigError, SwitchboardError } from "../errors.js";

/**
 * What a visitor token proves: which chat identity the bearer is, and (once a conversation
 * exists) which conversation that identity may read and write. Times are milliseconds
 * since the epoch.
 */
export interface VisitorTokenClaims {
  /** `visitor-<uuid>`: chosen by the server, never by the client. */
  identity: string;
  /** The conversation this visitor chats in; absent only before one exists. */
  conversationSid?: string;
  issuedAt: number;
  expiresAt: number;
  /**
   * When the visitor's first token was issued; renewals keep it, so a token chain ends at
   * `startedAt + maxLifetimeMs` however often it is renewed. Absent in tokens from older
   * versions (then `issuedAt` counts).
   */
  startedAt?: number;
}

/** Why a token was refused; stable codes so the API can map every one to 401. */
export type VisitorTokenErrorCode = "token_malformed" | "token_bad_signature" | "token_expired";

/** A visitor token could not be trusted. The message is safe to show to the visitor. */
export class VisitorTokenError extends SwitchboardError {
  declare readonly code: VisitorTokenErrorCode;
  constructor(code: VisitorTokenErrorCode, message: string) {
    super(code, message);
  }
}

export interface VisitorTokenOptions {
  /**
   * The HMAC-SHA256 key, at least 32 bytes. Keep it stable across restarts or every
   * visitor loses their conversation; rotate it to log every visitor out.
   */
  secret: string | Uint8Array;
  /** How long a token stays valid, in milliseconds. Default 7 days. */
  ttlMs?: number;
  /**
   * The absolute lifetime of a visitor's tokens, renewals included, in milliseconds: past
   * it the visitor starts over. Default 30 days.
   */
  maxLifetimeMs?: number;
  /** The clock, injectable so expiry is testable. Default `Date.now`. */
  now?: () => number;
}

/** Issues and verifies signed visitor tokens (`<base64url payload>.<base64url signature>`). */
export interface VisitorTokens {
  /**
   * Signs a token. Omit `identity` to mint a fresh random one (a new visitor); pass the
   * identity of an already verified token to renew it.
   */
  issue(input?: { identity?: string; conversationSid?: string; startedAt?: number }): {
    token: string;
    claims: VisitorTokenClaims;
  };
  /** Returns the claims of a genuine, unexpired token; throws `VisitorTokenError` otherwise. */
  verify(token: string): VisitorTokenClaims;
}

const minimumSecretBytes = 32;
// A token is a few hundred characters; anything far longer is not ours and not worth hashing.
const maximumTokenLength = 1024;
const identityPattern = /^visitor-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const conversationSidPattern = /^CH[0-9a-f]{32}$/;
const base64urlPattern = /^[A-Za-z0-9_-]+$/;

/** A fresh visitor identity: `visitor-` and a random UUID. */
export function randomVisitorIdentity(): string {
  return `visitor-${randomUUID()}`;
}

/** Creates the token signer; fails at once when the secret is missing or too short. */
export function createVisitorTokens(options: VisitorTokenOptions): VisitorTokens {
  const secret =
    typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : options.secret;
  if (secret.byteLength < minimumSecretBytes) {
    throw new ConfigError(
      "secret",
      `The web chat token secret (options.secret) must be at least ${minimumSecretBytes} bytes; generate one with \`openssl rand -hex 32\` and keep it stable across restarts.`,
    );
  }
  const ttlMs = options.ttlMs ?? 7 * 24 * 60 * 60 * 1000;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new ConfigError(
      "ttlMs",
      "The web chat token lifetime (options.ttlMs) must be a positive integer of milliseconds.",
    );
  }
  const maxLifetimeMs = options.maxLifetimeMs ?? 30 * 24 * 60 * 60 * 1000;
  if (!Number.isInteger(maxLifetimeMs) || maxLifetimeMs <= 0) {
    throw new ConfigError(
      "maxLifetimeMs",
      "The web chat token absolute lifetime (options.maxLifetimeMs) must be a positive integer of milliseconds.",
    );
  }
  const now = options.now ?? Date.now;
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest();

  return {
    issue(input = {}) {
      const identity = input.identity ?? randomVisitorIdentity();
      if (!identityPattern.test(identity)) {
        throw new SwitchboardError("invalid_identity", `Not a visitor identity: ${identity}`);
      }
      if (
        input.conversationSid !== undefined &&
        !conversationSidPattern.test(input.conversationSid)
      ) {
        throw new SwitchboardError(
          "invalid_conversation_sid",
          `Not a conversation SID (CH + 32 hex digits): ${input.conversationSid}`,
        );
      }
      const issuedAt = now();
      const startedAt = input.startedAt ?? issuedAt;
      const claims: VisitorTokenClaims = {
        identity,
        ...(input.conversationSid === undefined ? {} : { conversationSid: input.conversationSid }),
        issuedAt,
        // A renewal never reaches past the absolute lifetime.
        expiresAt: Math.min(issuedAt + ttlMs, startedAt + maxLifetimeMs),
        // A first token starts its own chain: `issuedAt` stands for `startedAt`.
        ...(startedAt === issuedAt ? {} : { startedAt }),
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
      return { token: `${payload}.${sign(payload).toString("base64url")}`, claims };
    },

    verify(token) {
      if (typeof token !== "string" || token.length > maximumTokenLength) {
        throw new VisitorTokenError("token_malformed", "The visitor token is malformed.");
      }
      const [payload, signature, extra] = token.split(".");
      if (
        payload === undefined ||
        signature === undefined ||
        extra !== undefined ||
        !base64urlPattern.test(payload) ||
        !base64urlPattern.test(signature)
      ) {
        throw new VisitorTokenError("token_malformed", "The visitor token is malformed.");
      }
      // Check the signature before parsing anything the client wrote.
      const expected = sign(payload);
      const given = Buffer.from(signature, "base64url");
      // Re-encoding catches non-canonical spellings (spare low bits in the last character)
      // so that exactly one string is valid for each token.
      if (
        given.byteLength !== expected.byteLength ||
        given.toString("base64url") !== signature ||
        !timingSafeEqual(given, expected)
      ) {
        throw new VisitorTokenError(
          "token_bad_signature",
          "The visitor token's signature does not match; start a new session.",
        );
      }
      const claims = parseClaims(Buffer.from(payload, "base64url").toString("utf8"));
      if (claims === undefined) {
        throw new VisitorTokenError("token_malformed", "The visitor token is malformed.");
      }
      if (
        now() >= claims.expiresAt ||
        now() >= (claims.startedAt ?? claims.issuedAt) + maxLifetimeMs
      ) {
        throw new VisitorTokenError(
          "token_expired",
          "The visitor token has expired; start a new session.",
        );
      }
      return claims;
    },
  };
}

// Signed payloads are ours, but a leaked or rotated-away secret must still not let odd
// shapes through, so the claims are checked field by field.
function parseClaims(json: string): VisitorTokenClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { identity, conversationSid, issuedAt, expiresAt, startedAt } = record;
  if (startedAt !== undefined && !Number.isSafeInteger(startedAt)) return undefined;
  if (typeof identity !== "string" || !identityPattern.test(identity)) return undefined;
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt)) return undefined;
  if (
    conversationSid !== undefined &&
    (typeof conversationSid !== "string" || !conversationSidPattern.test(conversationSid))
  ) {
    return undefined;
  }
  return {
    identity,
    ...(conversationSid === undefined ? {} : { conversationSid }),
    issuedAt: issuedAt as number,
    expiresAt: expiresAt as number,
    ...(startedAt === undefined ? {} : { startedAt: startedAt as number }),
  };
}
