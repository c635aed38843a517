import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * One-use, short-lived tickets that open an event stream. `EventSource` cannot send headers,
 * so what opens a stream travels in the URL (and so into proxy logs): a ticket is worth
 * nothing once spent or after a few seconds, unlike the long-lived token that bought it.
 *
 * Tickets are signed, not remembered, so any instance that shares the secret accepts a
 * ticket another instance issued (a round-robin load balancer needs no sticky sessions).
 * Spent tickets are remembered per instance until they expire: a ticket opens at most one
 * stream on each instance, within its lifetime.
 */
export interface StreamTickets<Subject> {
  /** A ticket carrying `subject` (it must be JSON), valid for `ttlMs` and one stream. */
  issue(subject: Subject): string;
  /** The subject of a genuine, unexpired, unspent ticket (now spent); otherwise undefined. */
  spend(ticket: string): Subject | undefined;
}

export interface StreamTicketOptions {
  /**
   * Shared by every instance that should accept each other's tickets (the web chat key, or
   * the console token). Without one, a random key: tickets then work on this instance only.
   */
  secret?: string | Uint8Array | undefined;
  /** Keeps tickets of one door from opening another: "console", "webchat". */
  purpose: string;
  /** How long a ticket stays valid, in ms. */
  ttlMs: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

// A ticket is a few hundred characters; anything longer is not ours and is not hashed.
const maximumTicketLength = 2048;
const ticketPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Creates a ticket issuer and checker for one door. */
export function createStreamTickets<Subject>(options: StreamTicketOptions): StreamTickets<Subject> {
  const now = options.now ?? Date.now;
  // A key of its own per door, derived from the shared secret, so a ticket signature can
  // never stand in for a visitor token or anything else the secret signs.
  const key =
    options.secret === undefined
      ? randomBytes(32)
      : createHmac("sha256", options.secret)
          .update(`switchboard stream ticket: ${options.purpose}`)
          .digest();
  const sign = (payload: string) => createHmac("sha256", key).update(payload).digest();
  /** Nonces spent here, in expiry order (one lifetime for all), until they expire. */
  const spent = new Map<string, number>();
  const forgetExpired = (at: number) => {
    for (const [nonce, expiresAt] of spent) {
      if (expiresAt > at) break;
      spent.delete(nonce);
    }
  };

  return {
    issue(subject) {
      const payload = Buffer.from(
        JSON.stringify({ s: subject, e: now() + options.ttlMs, n: randomUUID() }),
      ).toString("base64url");
      return `${payload}.${sign(payload).toString("base64url")}`;
    },

    spend(ticket) {
      if (ticket.length > maximumTicketLength || !ticketPattern.test(ticket)) return undefined;
      const [payload = "", signature = ""] = ticket.split(".");
      const expected = sign(payload);
      const given = Buffer.from(signature, "base64url");
      if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected))
        return undefined;
      const parsed = parseTicket(Buffer.from(payload, "base64url").toString("utf8"));
      const at = now();
      if (parsed === undefined || parsed.e <= at) return undefined;
      forgetExpired(at);
      if (spent.has(parsed.n)) return undefined;
      spent.set(parsed.n, parsed.e);
      return parsed.s as Subject;
    },
  };
}

function parseTicket(json: string): { s: unknown; e: number; n: string } | undefined {
  try {
    const value = JSON.parse(json) as { s?: unknown; e?: unknown; n?: unknown } | null;
    if (value === null || typeof value !== "object") return undefined;
    if (!Number.isSafeInteger(value.e) || typeof value.n !== "string") return undefined;
    return { s: value.s, e: value.e as number, n: value.n };
  } catch {
    return undefined;
  }
}
