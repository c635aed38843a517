/**
 * Masking of personal data for logs. A deliberate copy of the rule in
 * `src/twilio/channels/address.ts` (`maskAddress`): `log/` is a leaf and may not import
 * the Twilio boundary, and both must print the same shape (`+1555***0001`).
 */

const whatsappPrefix = "whatsapp:";

/**
 * Phone numbers written in E.164 inside free text, optionally after `whatsapp:`. The
 * lookarounds keep digits glued to other digits or letters (SIDs, timestamps) untouched.
 */
const phoneInText = /(?<![\w+])(whatsapp:)?\+[1-9]\d{6,14}(?!\d)/gi;

/** Passwords in connection strings: `postgres://user:secret@host` → `postgres://user:***@host`. */
const credentialsInUrl = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

/**
 * A form of an address safe for info-level logs: `+15551230001` → `+1555***0001`,
 * `whatsapp:+15551230001` → `whatsapp:+1555***0001`, `alice@example.com` → `al***om`.
 */
export function maskAddress(address: string): string {
  if (address.toLowerCase().startsWith(whatsappPrefix)) {
    return `${address.slice(0, whatsappPrefix.length)}${maskAddress(address.slice(whatsappPrefix.length))}`;
  }
  if (address.startsWith("+")) {
    if (address.length >= 10) return `${address.slice(0, 5)}***${address.slice(-4)}`;
    if (address.length >= 5) return `${address.slice(0, 2)}***${address.slice(-2)}`;
    return "+***";
  }
  if (address.length > 6) return `${address.slice(0, 2)}***${address.slice(-2)}`;
  return "***";
}

/**
 * Masks what identifies a customer — a phone number (bare or `whatsapp:`) or an email
 * address — and leaves every other identity whole: operator and bot names ("operator",
 * "harbor-bot") and web chat's random `visitor-…` ids say nothing about a person, and
 * masking them (`op***or`) only hides who answered.
 */
export function maskPersonalAddress(address: string): string {
  const bare = address.toLowerCase().startsWith(whatsappPrefix)
    ? address.slice(whatsappPrefix.length)
    : address;
  return /^\+?\d[\d\s().-]{5,}$/.test(bare) || bare.includes("@") ? maskAddress(address) : address;
}

/** Masks every E.164 number (bare or `whatsapp:`) found inside `text`. */
export function maskPhoneNumbersInText(text: string): string {
  return text.replace(phoneInText, (match) => maskAddress(match));
}

/** Replaces the password of every `scheme://user:password@host` inside `text` with `***`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(credentialsInUrl, "$1***@");
}
