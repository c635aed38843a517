import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/**
 * Whether a console bound to `host` must be protected by a token: every address except
 * loopback (`127.0.0.0/8`, `::1`, `localhost`) can be reached by other machines, and an
 * unspecified address (`0.0.0.0`, `::`, empty) listens on all of them.
 */
export function consoleTokenRequired(host: string): boolean {
  return !isLoopbackHost(host);
}

/** `localhost`, `*.localhost`, `127.x.x.x`, `::1` (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (isIP(name) === 6) return name === "::1" || name === "0:0:0:0:0:0:0:1";
  return false;
}

/** The hostname part of a `Host` header (`127.0.0.1:3000` → `127.0.0.1`, `[::1]:3000` → `::1`). */
export function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed !== null) return bracketed[1] ?? "";
  return hostHeader.replace(/:\d+$/, "");
}

/** Compares a presented token with the configured one without leaking how much matched. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
