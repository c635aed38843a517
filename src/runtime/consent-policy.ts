import { ConfigError } from "../errors.js";
import {
  type ConsentKeyword,
  type ConsentMatcher,
  createConsentMatcher,
  smsConsentKeyword,
} from "../twilio/channels/consent-keywords.js";

/**
 * Consent handling: who may be messaged, and what the consent keywords do.
 *
 * SMS keywords are Twilio's standard lists (STOP, START, HELP and their synonyms). WhatsApp has
 * no keyword handling at Twilio, so switchboard matches configured phrases there.
 */
export interface SwitchboardConsentOptions {
  /**
   * WhatsApp messages (whole message, case- and space-insensitive) that opt the customer out,
   * with the same effect as STOP on SMS. Default `["STOP", "UNSUBSCRIBE"]`; `[]` turns it off.
   */
  whatsappOptOut?: readonly string[];
  /** WhatsApp messages that opt back in after an opt-out. Default `["START"]`. */
  whatsappOptIn?: readonly string[];
  /**
   * Who answers an SMS HELP (or INFO): `"twilio"` (default) — Twilio's Advanced Opt-Out
   * auto-reply answers and switchboard stays silent; `"switchboard"` — switchboard sends
   * `helpText` (turn Twilio's HELP auto-reply off, or the customer gets both). Either way the
   * agent does not answer a HELP keyword.
   */
  helpAnsweredBy?: "twilio" | "switchboard";
  /** The answer to HELP when `helpAnsweredBy` is `"switchboard"`; required then. */
  helpText?: string;
}

/** The consent options, checked. */
export interface ConsentPolicy {
  /** The consent action a customer message asks for on its channel, if any. */
  keywordOf(channel: string, body: string | null): ConsentKeyword | undefined;
  /** The help answer switchboard sends itself, or undefined when Twilio answers. */
  helpText: string | undefined;
}

/**
 * Checks the consent options once, at construction; a bad phrase list or a missing help text
 * is a `ConfigError` naming the option.
 */
export function resolveConsentPolicy(options: SwitchboardConsentOptions = {}): ConsentPolicy {
  if (typeof options !== "object" || options === null)
    throw new ConfigError("consent", "consent must be an object of consent options.");
  const whatsapp: ConsentMatcher = createConsentMatcher(
    {
      optOut: options.whatsappOptOut ?? ["STOP", "UNSUBSCRIBE"],
      optIn: options.whatsappOptIn ?? ["START"],
      // WhatsApp HELP is an ordinary question: the agent can answer it.
      help: [],
    },
    "consent.whatsapp",
  );
  const answeredBy = options.helpAnsweredBy ?? "twilio";
  if (answeredBy !== "twilio" && answeredBy !== "switchboard")
    throw new ConfigError(
      "consent.helpAnsweredBy",
      'consent.helpAnsweredBy must be "twilio" (Twilio\'s HELP auto-reply answers) or "switchboard" (switchboard sends consent.helpText).',
    );
  const helpText = options.helpText;
  if (helpText !== undefined && (typeof helpText !== "string" || helpText.trim() === ""))
    throw new ConfigError("consent.helpText", "consent.helpText must be a non-empty string.");
  if (answeredBy === "switchboard" && helpText === undefined)
    throw new ConfigError(
      "consent.helpText",
      'consent.helpAnsweredBy is "switchboard", so consent.helpText is required: the answer to HELP (say who you are and how to opt out).',
    );
  return {
    keywordOf(channel, body) {
      if (channel === "sms") return smsConsentKeyword(body);
      if (channel === "whatsapp") return whatsapp.match(body);
      return undefined;
    },
    helpText: answeredBy === "switchboard" ? helpText : undefined,
  };
}
