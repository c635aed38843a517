import { ConfigError } from "../../errors.js";

/** What a consent keyword asks for. */
export type ConsentKeyword = "opt-out" | "opt-in" | "help";

/**
 * Twilio's default opt-out keywords for long codes and Messaging Services: STOP,
 * UNSUBSCRIBE, END, QUIT, STOPALL, REVOKE, OPTOUT, CANCEL
 * (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out; REVOKE and OPTOUT
 * were added on 2025-04-29 per https://www.twilio.com/docs/api/errors/30004).
 */
export const smsOptOutKeywords: readonly string[] = Object.freeze([
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
]);

/** Twilio's default opt-in keywords: START, YES, UNSTOP (Twilio help: "Twilio support for opt-out keywords"). */
export const smsOptInKeywords: readonly string[] = Object.freeze(["START", "YES", "UNSTOP"]);

/** Twilio's default help keywords: HELP, INFO (same article). */
export const smsHelpKeywords: readonly string[] = Object.freeze(["HELP", "INFO"]);

/** Phrases per consent action; each list replaces the default for that action. */
export interface ConsentPhrases {
  optOut?: readonly string[] | undefined;
  optIn?: readonly string[] | undefined;
  help?: readonly string[] | undefined;
}

/** Recognises whole-message consent keywords; build one with {@link createConsentMatcher}. */
export interface ConsentMatcher {
  /** The consent action the whole message asks for, or `undefined` for an ordinary message. */
  match(text: string | null | undefined): ConsentKeyword | undefined;
}

// Longer messages are never a keyword; the bound keeps matching cheap on hostile input.
const longestMessage = 200;

/**
 * Builds a matcher over phrase lists: case-insensitive, blind to spaces (so "stop all"
 * is STOPALL and "  Stop " is STOP), whole message only ("STOP PLEASE" is not a keyword —
 * Twilio documents that only single-word messages trigger its block).
 *
 * Punctuation is the one place the docs are silent. The choice here leans towards not
 * messaging someone who wanted to stop: leading and trailing punctuation is ignored for
 * opt-out and help ("Stop!" and "help?" count), but an opt-in must be the bare keyword
 * ("Yes!" in reply to a question is not a request to resubscribe).
 *
 * Throws `ConfigError` naming `option` when a phrase is blank or appears under two actions.
 */
export function createConsentMatcher(
  phrases: ConsentPhrases = {},
  option = "consentPhrases",
): ConsentMatcher {
  const strict = new Map<string, ConsentKeyword>();
  const lenient = new Map<string, ConsentKeyword>();
  const lists: [ConsentKeyword, keyof ConsentPhrases, readonly string[]][] = [
    ["opt-out", "optOut", phrases.optOut ?? smsOptOutKeywords],
    ["opt-in", "optIn", phrases.optIn ?? smsOptInKeywords],
    ["help", "help", phrases.help ?? smsHelpKeywords],
  ];
  for (const [action, name, list] of lists) {
    if (!Array.isArray(list)) {
      throw new ConfigError(`${option}.${name}`, `${option}.${name} must be an array of phrases.`);
    }
    for (const [position, phrase] of list.entries()) {
      const where = `${option}.${name}[${position}]`;
      const key = typeof phrase === "string" ? withoutPunctuation(compact(phrase)) : "";
      if (key === "") {
        throw new ConfigError(
          where,
          `${where} must be a phrase with at least one letter or digit.`,
        );
      }
      const taken = strict.get(key);
      if (taken !== undefined && taken !== action) {
        throw new ConfigError(
          where,
          `${where} ("${phrase}") is already listed as ${taken}; a phrase can mean only one thing.`,
        );
      }
      strict.set(key, action);
      if (action !== "opt-in") lenient.set(key, action);
    }
  }
  return {
    match(text) {
      if (typeof text !== "string" || text.length > longestMessage) return undefined;
      const key = compact(text);
      if (key === "") return undefined;
      return strict.get(key) ?? lenient.get(withoutPunctuation(key));
    },
  };
}

const smsMatcher = createConsentMatcher();

/**
 * Twilio's standard SMS keywords: `"opt-out"` for STOP and its synonyms, `"opt-in"` for
 * START/YES/UNSTOP, `"help"` for HELP/INFO, else `undefined`. Matching rules as in
 * {@link createConsentMatcher}.
 *
 * An opt-in keyword from a customer who is not opted out is an ordinary message ("Yes" is
 * also an answer), so the caller decides what it means from the consent ledger.
 */
export function smsConsentKeyword(text: string | null | undefined): ConsentKeyword | undefined {
  return smsMatcher.match(text);
}

/** Upper case, compatibility forms folded (full-width letters), every space and invisible character gone. */
function compact(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, "")
    .toUpperCase();
}

function withoutPunctuation(key: string): string {
  return key.replace(/^\p{P}+|\p{P}+$/gu, "");
}
