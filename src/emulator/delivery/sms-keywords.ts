/**
 * Twilio's standard SMS opt-out handling for long codes and Messaging Services ("Twilio
 * support for opt-out keywords (SMS STOP filtering)", Twilio help center): a message that
 * is exactly one keyword — any case, surrounding spaces ignored; "STOP PLEASE" does not
 * count — opts the sender out of (or back in to) messages from that sender, and Twilio
 * answers with a standard reply. The message itself still reaches the application.
 *
 * The opt-out list is the long-standing STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT plus
 * REVOKE and OPTOUT, which Twilio added to the defaults in 2025; opt-in is START, YES,
 * UNSTOP; help is HELP, INFO.
 */
export type SmsKeywordKind = "opt-out" | "opt-in" | "help";

const keywords: Record<string, SmsKeywordKind> = {
  STOP: "opt-out",
  STOPALL: "opt-out",
  UNSUBSCRIBE: "opt-out",
  CANCEL: "opt-out",
  END: "opt-out",
  QUIT: "opt-out",
  REVOKE: "opt-out",
  OPTOUT: "opt-out",
  START: "opt-in",
  YES: "opt-in",
  UNSTOP: "opt-in",
  HELP: "help",
  INFO: "help",
};

/**
 * Twilio's default auto-replies. The opt-out text is quoted by integrations that show it
 * verbatim; the opt-in and help texts are Twilio's published defaults for Messaging
 * Services without Advanced Opt-Out customisation.
 */
export const smsKeywordReplies: Record<SmsKeywordKind, string> = {
  "opt-out":
    "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.",
  "opt-in":
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
  help: "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
};

/** The keyword a whole SMS body is, if any. */
export function smsKeyword(body: string | undefined): SmsKeywordKind | undefined {
  if (body === undefined) return undefined;
  const word = body.trim().toUpperCase();
  return Object.hasOwn(keywords, word) ? keywords[word] : undefined;
}
