import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../errors.js";
import { RequestError } from "../http/request-error.js";

/** The longest application id a signed identity may carry (an `app` address). */
const maxIdLength = 200;
const maxSignedLength = 1024;
const minimumSecretBytes = 32;
const base64url = /^[A-Za-z0-9_-]+$/;

function secretBytes(secret: string | Uint8Array, option: string): Uint8Array {
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (bytes.byteLength < minimumSecretBytes) {
    throw new ConfigError(
      option,
      `${option} must be at least ${minimumSecretBytes} bytes; generate one with \`openssl rand -hex 32\` and give the same value to your application.`,
    );
  }
  return bytes;
}

const sign = (secret: Uint8Array, payload: string) =>
  createHmac("sha256", secret).update(`switchboard identity.${payload}`).digest();

/**
 * Signs an application's user id for the web chat widget (`data-identity` on the script
 * tag): the application vouches that this visitor is its user `id`, and switchboard links
 * the visitor to the customer known by `{ kind: "app", value: id }`. Run it on your server,
 * per page view, with the secret given to switchboard as `webchat.identitySecret`. Valid for
 * `ttlMs` (default 5 minutes) and usable once.
 */
export function signVisitorIdentity(
  secret: string | Uint8Array,
  id: string,
  options: { ttlMs?: number; now?: () => number } = {},
): string {
  const key = secretBytes(secret, "webchat.identitySecret");
  if (typeof id !== "string" || id === "" || id.length > maxIdLength || id.includes("\u0000"))
    throw new TypeError(`signVisitorIdentity: id must be 1..${maxIdLength} characters, no NUL.`);
  const now = (options.now ?? Date.now)();
  const payload = Buffer.from(
    JSON.stringify({
      id,
      exp: now + (options.ttlMs ?? 5 * 60_000),
      nonce: randomBytes(12).toString("base64url"),
    }),
  ).toString("base64url");
  return `${payload}.${sign(key, payload).toString("base64url")}`;
}

/** Checks signed identities: genuine, unexpired, not too long-lived, and each used once. */
export interface SignedIdentityVerifier {
  /** The vouched application id; 401 `identity_invalid` / `identity_expired` / `identity_replayed`. */
  verify(signed: unknown): string;
}

export function createSignedIdentityVerifier(options: {
  secret: string | Uint8Array;
  /** The longest lifetime a signed identity may claim, in ms. Default 1 hour. */
  maxTtlMs?: number;
  now?: () => number;
}): SignedIdentityVerifier {
  const key = secretBytes(options.secret, "webchat.identitySecret");
  const maxTtlMs = options.maxTtlMs ?? 60 * 60_000;
  const now = options.now ?? Date.now;
  /** Spent nonces until their expiry: a copied identity cannot be replayed (bounded). */
  const spent = new Map<string, number>();
  const refuse = (code: string, message: string) =>
    new RequestError(401, code, message, {
      headers: { "www-authenticate": 'Bearer error="invalid_token"' },
    });
  return {
    verify(signed) {
      if (typeof signed !== "string" || signed.length > maxSignedLength)
        throw refuse("identity_invalid", "The signed identity is malformed.");
      const [payload, signature, extra] = signed.split(".");
      if (
        payload === undefined ||
        signature === undefined ||
        extra !== undefined ||
        !base64url.test(payload) ||
        !base64url.test(signature)
      )
        throw refuse("identity_invalid", "The signed identity is malformed.");
      const expected = sign(key, payload);
      const given = Buffer.from(signature, "base64url");
      if (
        given.byteLength !== expected.byteLength ||
        given.toString("base64url") !== signature ||
        !timingSafeEqual(given, expected)
      )
        throw refuse("identity_invalid", "The signed identity's signature does not match.");
      let claims: { id?: unknown; exp?: unknown; nonce?: unknown };
      try {
        claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        throw refuse("identity_invalid", "The signed identity is malformed.");
      }
      const { id, exp, nonce } = claims ?? {};
      if (
        typeof id !== "string" ||
        id === "" ||
        id.length > maxIdLength ||
        typeof exp !== "number" ||
        !Number.isSafeInteger(exp) ||
        typeof nonce !== "string"
      )
        throw refuse("identity_invalid", "The signed identity is malformed.");
      const at = now();
      if (at >= exp || exp - at > maxTtlMs)
        throw refuse("identity_expired", "The signed identity has expired; reload the page.");
      for (const [seen, until] of spent) if (until <= at) spent.delete(seen);
      if (spent.has(nonce))
        throw refuse("identity_replayed", "This signed identity was already used.");
      if (spent.size >= 100_000) spent.delete(spent.keys().next().value as string);
      spent.set(nonce, exp);
      return id;
    },
  };
}
