import { createHash, randomBytes } from "node:crypto";

/** A fresh Twilio SID: two-letter prefix plus 32 lowercase hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/** A SID derived from a seed, so defaults are the same on every start. */
export function seededSid(prefix: string, seed: string): string {
  return prefix + createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

/** Whether `value` looks like a SID with this prefix. */
export function isSid(value: string, prefix: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}
