import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../errors.js";
import { RequestError } from "../http/request-error.js";
import { createTokenBucket, type TokenBucketOptions } from "../http/token-bucket.js";

/** Where a code may be sent: an SMS number or a WhatsApp number. */
export type VerificationChannel = "sms" | "whatsapp";

/** What the verification needs from the rest of switchboard. */
export interface PhoneVerificationDeps {
  /**
   * Queues the code to `address` through the outbox (durable, paced, reconciled like any
   * reply): `text` as free text, or `code` in an approved template where the channel needs
   * one (WhatsApp outside the 24-hour window). Resolves `"opted-out"` without queueing when
   * the address opted out. `key` is unique per code, so a retried call queues nothing twice.
   */
  sendCode(
    address: { kind: VerificationChannel; value: string },
    message: { text: string; code: string },
    key: string,
  ): Promise<"queued" | "opted-out">;
  /** Links the proven address to the visitor's customer (merging when another owns it). */
  linkVerified(
    identity: string,
    address: { kind: VerificationChannel; value: string },
  ): Promise<void>;
}

export interface PhoneVerificationOptions {
  /** The web chat secret; a sub-key is derived from it, so codes and tokens never share one. */
  secret: string | Uint8Array;
  /** Channels a code may go by. Default `["sms"]`. */
  channels?: readonly VerificationChannel[];
  /** How long a code is valid, in ms. Default 10 minutes (1 minute .. 1 hour). */
  codeTtlMs?: number;
  /** Wrong codes allowed per code before it is void. Default 5 (1..10). */
  maxAttempts?: number;
  /** Codes asked per visitor: a burst of 3, refilled over 10 minutes by default. */
  visitorRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /** Codes sent per number: a burst of 3, refilled over 10 minutes by default. */
  numberRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /** Codes asked per client address: a burst of 10, refilled over 10 minutes by default. */
  clientRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /** Codes sent over all visitors: a burst of 100, refilled over a minute by default. */
  globalRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /** Code checks per visitor: a burst of 10, refilled over 10 minutes by default. */
  checkRate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
  /**
   * Country calling codes codes may go to (`["1", "44"]`): anything else is refused (400
   * `country_not_allowed`) before a text is paid for — the usual defence against SMS
   * pumping to premium ranges. Default: every country.
   */
  countries?: readonly string[];
  /** The business name in the text ("Your Harbor Bikes verification code is …"). Default none. */
  senderName?: string;
  now?: () => number;
}

/** A code was sent: the challenge the visitor returns with the code. */
export interface VerificationStarted {
  challenge: string;
  channel: VerificationChannel;
  expiresInMs: number;
}

/** The verification flow behind `POST /webchat/verify` and `/webchat/verify/confirm`. */
export interface PhoneVerification {
  readonly channels: readonly VerificationChannel[];
  start(input: {
    identity: string;
    phone: unknown;
    channel: unknown;
    client: string;
  }): Promise<VerificationStarted>;
  confirm(input: {
    identity: string;
    challenge: unknown;
    code: unknown;
  }): Promise<{ channel: VerificationChannel; address: string }>;
}

interface ChallengeClaims {
  /** The visitor the code was sent for: a code is useless to anyone else. */
  identity: string;
  channel: VerificationChannel;
  /** E.164. */
  phone: string;
  expiresAt: number;
  /** Random; keys the attempt counter and the spent list. */
  nonce: string;
}

const e164 = /^\+[1-9]\d{6,14}$/;
const maxChallengeLength = 512;
const base64url = /^[A-Za-z0-9_-]+$/;

/**
 * Proves a visitor holds a phone number with a six-digit code sent through the outbox.
 *
 * The pending code lives in a signed challenge the widget holds, not on the server: the
 * signature is an HMAC over the claims and the code, so the code is stored only keyed-hashed
 * (useless without the secret), any instance can check it and a restart loses nothing. The
 * server keeps only what must be counted — wrong attempts and spent challenges, per instance
 * and bounded — so with N instances an attacker gets at most N × `maxAttempts` guesses at a
 * million codes, each under the per-visitor check rate.
 */
export function createPhoneVerification(
  deps: PhoneVerificationDeps,
  options: PhoneVerificationOptions,
): PhoneVerification {
  const secret =
    typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : options.secret;
  const key = createHmac("sha256", secret).update("switchboard phone verification").digest();
  const channels = options.channels ?? ["sms"];
  if (
    !Array.isArray(channels) ||
    channels.length === 0 ||
    channels.some((channel) => channel !== "sms" && channel !== "whatsapp")
  ) {
    throw new ConfigError(
      "webchat.verification.channels",
      'webchat.verification.channels must list "sms" and/or "whatsapp".',
    );
  }
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  if (!Number.isInteger(codeTtlMs) || codeTtlMs < 60_000 || codeTtlMs > 60 * 60_000) {
    throw new ConfigError(
      "webchat.verification.codeTtlMs",
      "webchat.verification.codeTtlMs must be an integer from 60000 (1 minute) to 3600000 (1 hour).",
    );
  }
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    throw new ConfigError(
      "webchat.verification.maxAttempts",
      "webchat.verification.maxAttempts must be an integer from 1 to 10.",
    );
  }
  const countries = options.countries;
  if (
    countries !== undefined &&
    (!Array.isArray(countries) ||
      countries.length === 0 ||
      countries.some((code) => typeof code !== "string" || !/^[1-9]\d{0,3}$/.test(code)))
  ) {
    throw new ConfigError(
      "webchat.verify.countries",
      'webchat.verify.countries must list country calling codes like "1" or "44".',
    );
  }
  const now = options.now ?? Date.now;
  const bucket = (
    given: Pick<TokenBucketOptions, "capacity" | "refillMs"> | undefined,
    capacity: number,
    refillMs: number,
  ) => createTokenBucket({ capacity, refillMs, ...given, now });
  const visitorLimit = bucket(options.visitorRate, 3, 10 * 60_000);
  const numberLimit = bucket(options.numberRate, 3, 10 * 60_000);
  const clientLimit = bucket(options.clientRate, 10, 10 * 60_000);
  const globalLimit = bucket(options.globalRate, 100, 60_000);
  const checkLimit = bucket(options.checkRate, 10, 10 * 60_000);
  /** Wrong attempts and spent challenges by nonce, until the challenge expires (bounded). */
  const used = new Map<string, { attempts: number; spent: boolean; expiresAt: number }>();
  const usage = (claims: ChallengeClaims) => {
    const at = now();
    for (const [nonce, entry] of used) if (entry.expiresAt <= at) used.delete(nonce);
    let entry = used.get(claims.nonce);
    if (entry === undefined) {
      if (used.size >= 100_000) used.delete(used.keys().next().value as string);
      entry = { attempts: 0, spent: false, expiresAt: claims.expiresAt };
      used.set(claims.nonce, entry);
    }
    return entry;
  };
  const sign = (payload: string, code: string) =>
    createHmac("sha256", key).update(`${payload}.${code}`).digest();
  const limited = (retryAfterMs: number, what: string) =>
    new RequestError(429, "rate_limited", `Too many ${what}; try again later.`, {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    });

  return {
    channels,
    async start({ identity, phone, channel, client }) {
      const chosen = channel ?? channels[0];
      if (typeof chosen !== "string" || !channels.includes(chosen as VerificationChannel)) {
        throw new RequestError(
          400,
          "invalid_channel",
          `\`channel\` must be one of: ${channels.join(", ")}.`,
        );
      }
      const number = normalizePhone(phone);
      if (countries !== undefined && !countries.some((code) => number.startsWith(`+${code}`))) {
        throw new RequestError(
          400,
          "country_not_allowed",
          "We cannot send codes to numbers in that country.",
        );
      }
      // Every budget is checked before any is spent: a refusal by one costs the others nothing.
      const budgets = [
        [globalLimit, "all", "codes"],
        [clientLimit, client, "codes from this address"],
        [visitorLimit, identity, "codes"],
        [numberLimit, number, "codes to this number"],
      ] as const;
      for (const [limit, id, what] of budgets) {
        const peeked = limit.peek(id);
        if (!peeked.allowed) throw limited(peeked.retryAfterMs, what);
      }
      for (const [limit, id] of budgets) limit.take(id);
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      const claims: ChallengeClaims = {
        identity,
        channel: chosen as VerificationChannel,
        phone: number,
        expiresAt: now() + codeTtlMs,
        nonce: randomBytes(12).toString("base64url"),
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
      const minutes = Math.round(codeTtlMs / 60_000);
      const text = verificationText(options.senderName, code, minutes);
      const address = {
        kind: claims.channel,
        value: claims.channel === "whatsapp" ? `whatsapp:${number}` : number,
      };
      const outcome = await deps.sendCode(address, { text, code }, `verify-${claims.nonce}`);
      if (outcome === "opted-out") {
        throw new RequestError(
          409,
          "opted_out",
          "This number asked not to receive messages from us; text START to it first.",
        );
      }
      return {
        challenge: `${payload}.${sign(payload, code).toString("base64url")}`,
        channel: claims.channel,
        expiresInMs: codeTtlMs,
      };
    },

    async confirm({ identity, challenge, code }) {
      const check = checkLimit.take(identity);
      if (!check.allowed) throw limited(check.retryAfterMs, "code checks");
      if (typeof code !== "string" || !/^\d{6}$/.test(code.trim())) {
        throw new RequestError(400, "invalid_code", "`code` must be the six digits we sent.");
      }
      const claims = readChallenge(challenge);
      if (claims.identity !== identity) {
        // A challenge is bound to the visitor it was sent for.
        throw wrongCode();
      }
      const entry = usage(claims);
      if (now() >= claims.expiresAt || entry.spent || entry.attempts >= maxAttempts) {
        throw new RequestError(
          410,
          "code_expired",
          "This code has expired or was used up; ask for a new one.",
        );
      }
      const [payload, signature] = (challenge as string).split(".") as [string, string];
      const given = Buffer.from(signature, "base64url");
      const expected = sign(payload, code.trim());
      if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
        entry.attempts += 1;
        throw wrongCode(maxAttempts - entry.attempts);
      }
      entry.spent = true;
      const address = {
        kind: claims.channel,
        value: claims.channel === "whatsapp" ? `whatsapp:${claims.phone}` : claims.phone,
      };
      await deps.linkVerified(identity, address);
      return { channel: claims.channel, address: address.value };
    },
  };

  function readChallenge(challenge: unknown): ChallengeClaims {
    if (typeof challenge !== "string" || challenge.length > maxChallengeLength) {
      throw new RequestError(400, "invalid_challenge", "`challenge` is not one we issued.");
    }
    const [payload, signature, extra] = challenge.split(".");
    if (
      payload === undefined ||
      signature === undefined ||
      extra !== undefined ||
      !base64url.test(payload) ||
      !base64url.test(signature)
    ) {
      throw new RequestError(400, "invalid_challenge", "`challenge` is not one we issued.");
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      throw new RequestError(400, "invalid_challenge", "`challenge` is not one we issued.");
    }
    const record = (typeof value === "object" && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    if (
      typeof record.identity !== "string" ||
      (record.channel !== "sms" && record.channel !== "whatsapp") ||
      typeof record.phone !== "string" ||
      !e164.test(record.phone) ||
      !Number.isSafeInteger(record.expiresAt) ||
      typeof record.nonce !== "string" ||
      !base64url.test(record.nonce)
    ) {
      throw new RequestError(400, "invalid_challenge", "`challenge` is not one we issued.");
    }
    // The claims are not trusted until the code's HMAC matches (checked by the caller).
    return record as unknown as ChallengeClaims;
  }
}

/** The code's text: a sentence that says whose code it is when the business has a name. */
export function verificationText(
  senderName: string | undefined,
  code: string,
  minutes: number,
): string {
  const name = senderName?.trim();
  const whose = name ? `Your ${name} verification code` : "Your verification code";
  return `${whose} is ${code}. It expires in ${minutes} minute${minutes === 1 ? "" : "s"}. If you did not ask for it, ignore this message.`;
}

function wrongCode(left?: number): RequestError {
  return new RequestError(
    400,
    "wrong_code",
    left === undefined
      ? "That code is not right."
      : `That code is not right; ${Math.max(0, left)} tr${left === 1 ? "y" : "ies"} left.`,
  );
}

/** A phone number as typed (spaces, dashes, brackets allowed) → E.164, or 400. */
export function normalizePhone(phone: unknown): string {
  if (typeof phone !== "string" || phone.length > 40) {
    throw new RequestError(400, "invalid_phone", "`phone` must be a number like +15551230001.");
  }
  const compact = phone.trim().replace(/[\s().-]/g, "");
  if (!e164.test(compact)) {
    throw new RequestError(
      400,
      "invalid_phone",
      "`phone` must be in international form with its country code, like +15551230001.",
    );
  }
  return compact;
}
