import { twilioErrorCodes } from "./error-codes.js";

/**
 * What kind of failure a delivery error is, so callers can act on it without matching
 * codes: `opted-out` must record an opt-out in the consent ledger, `window-closed` must
 * offer a WhatsApp template, `unreachable` may succeed later, the rest will not succeed by
 * resending the same message.
 */
export type DeliveryErrorKind =
  | "opted-out"
  | "window-closed"
  | "unreachable"
  | "invalid-recipient"
  | "blocked"
  | "filtered"
  | "content"
  | "sender-setup"
  | "unknown";

/** A delivery error explained for an operator. */
export interface DeliveryErrorExplanation {
  /** Twilio's error code, or `undefined` when the receipt carried none. */
  code: number | undefined;
  /** A few words, e.g. "Outside WhatsApp's 24-hour window". */
  title: string;
  /** One plain sentence saying what happened. */
  explanation: string;
  /** What the operator can do about it. */
  action: string;
  kind: DeliveryErrorKind;
  /** Whether sending the same message again later may succeed. */
  retryable: boolean;
  /** Twilio's page for the code. */
  docsUrl: string | undefined;
}

type Row = Omit<DeliveryErrorExplanation, "code" | "docsUrl">;

/**
 * The error codes that matter on SMS and WhatsApp, each checked against Twilio's error
 * pages (https://www.twilio.com/docs/api/errors/<code>, read December 2026). Where the
 * docs add to or differ from what one might expect, a comment says so.
 */
export const deliveryErrorExplanations: Readonly<Record<number, Readonly<Row>>> = {
  // 63016 "Outside messaging window. For WhatsApp, use a Message Template instead". The
  // page also lists two causes that are not the window: a template sent with Body instead
  // of ContentSid (fails since 2025-04-01), and twilio/list-picker or twilio/location sent
  // outside a session.
  63016: {
    title: "Outside WhatsApp's 24-hour window",
    explanation:
      "WhatsApp only allows free-form messages within 24 hours of the customer's last message, so this one was refused.",
    action:
      "Send an approved template (ContentSid) instead, or wait for the customer to write again.",
    kind: "window-closed",
    retryable: false,
  },
  // 63024 "Invalid message recipient" (WhatsApp 1026/1002): the number is not on WhatsApp,
  // has not accepted WhatsApp's terms, or runs an unsupported client version.
  63024: {
    title: "Not a reachable WhatsApp user",
    explanation:
      "WhatsApp says this number cannot receive WhatsApp messages (not on WhatsApp, terms not accepted, or an outdated app).",
    action:
      "Check that the customer uses WhatsApp on this number and has updated the app, or reach them by SMS.",
    kind: "invalid-recipient",
    retryable: false,
  },
  // 63032 maps WhatsApp error 472 (https://www.twilio.com/docs/whatsapp/api/error-code-mapping):
  // the user is in one of Meta's marketing-message experiments, so Meta held back a
  // marketing template (Twilio help article "WhatsApp Marketing Experiments"). It is not a
  // window or opt-out error, despite sitting in the WhatsApp range; messages are not charged.
  63032: {
    title: "Held back by WhatsApp (marketing experiment)",
    explanation:
      "Meta withholds marketing templates from a small share of WhatsApp users as an experiment, and this customer is one of them.",
    action:
      "Use a utility template or wait for the customer to write (session messages still arrive), or reach them by SMS.",
    kind: "blocked",
    retryable: false,
  },
  // 21610 "Attempt to send to unsubscribed recipient": the recipient replied STOP (or
  // another opt-out keyword) to this sender or Messaging Service. Twilio refuses every
  // send until they reply START. Twilio does not charge for the attempt.
  21610: {
    title: "Customer opted out",
    explanation:
      "The customer replied STOP (or another opt-out keyword), so Twilio refuses to send them anything.",
    action:
      "Do not send again; the customer has to text START (or YES, UNSTOP) to receive messages again.",
    kind: "opted-out",
    retryable: false,
  },
  // 21614 "'To' number is not a valid mobile number": a landline or another number that
  // cannot receive SMS. Twilio's 2024-07-10 changelog moved some of its former causes
  // (landlines among them) to newer, more specific codes, so it is rarer than it was.
  21614: {
    title: "Not a mobile number",
    explanation: "The number cannot receive SMS: it is a landline or another non-mobile line.",
    action: "Ask the customer for a mobile number, or contact them another way.",
    kind: "invalid-recipient",
    retryable: false,
  },
  // 30003 "Unreachable destination handset": phone off, no signal, roaming, or a carrier
  // problem. Twilio suggests one retry; often temporary.
  30003: {
    title: "Phone unreachable",
    explanation:
      "The carrier could not reach the phone: it may be switched off, out of coverage or roaming.",
    action: "Try again later; if it keeps failing, check the number with the customer another way.",
    kind: "unreachable",
    retryable: true,
  },
  // 30004 "Message blocked": the destination blocks this message — a carrier blocklist,
  // a do-not-disturb registry, or an opt-out held by the carrier (e.g. toll-free STOP).
  // The docs list an opt-out as one possible cause among several, so it is not treated as
  // a certain opt-out here.
  30004: {
    title: "Blocked by the recipient's carrier",
    explanation:
      "The carrier blocked delivery to this number (a block list, a do-not-disturb registry, or an earlier opt-out).",
    action:
      "Ask the customer whether they blocked messages or replied STOP; if so they must opt in again (START).",
    kind: "blocked",
    retryable: false,
  },
  // 30005 "Unknown destination handset": the number is unknown to the carrier or no
  // longer in service.
  30005: {
    title: "Number not in service",
    explanation: "The carrier does not know this number, or it is no longer in service.",
    action: "Check the number with the customer; stop sending to it until it is corrected.",
    kind: "invalid-recipient",
    retryable: false,
  },
  // 30006 "Landline or unreachable carrier": a landline, or a carrier a short code cannot
  // reach. The docs say not to retry the same SMS to a landline.
  30006: {
    title: "Landline or unreachable carrier",
    explanation: "The number is a landline or on a carrier this sender cannot reach.",
    action: "Ask the customer for a mobile number, or call them instead.",
    kind: "invalid-recipient",
    retryable: false,
  },
  // 30007 "Message filtered" (formerly "Carrier violation"): Twilio or the carrier
  // filtered the message as spam, phishing or a policy violation.
  30007: {
    title: "Filtered as spam",
    explanation:
      "Twilio or the carrier filtered this message as likely spam or a policy violation.",
    action:
      "Review the wording and links, make sure the sender's A2P registration matches this use, and contact Twilio support with three failed message SIDs if it persists.",
    kind: "filtered",
    retryable: false,
  },
  // 30008 "Unknown error": the carrier gave no reason. Often transient.
  30008: {
    title: "Carrier gave no reason",
    explanation: "The carrier refused the message without saying why.",
    action: "Try again later; if it repeats, contact Twilio support with the message SIDs.",
    kind: "unknown",
    retryable: true,
  },
  // 30019 "Content size exceeds carrier limit": the (MMS) media is larger than the
  // destination carrier accepts; non-image attachments are limited to about 0.6–1.5 MB
  // depending on carrier and sender type (Twilio's MMS size-limits article).
  30019: {
    title: "Attachment too large for the carrier",
    explanation: "The attachment is larger than the recipient's carrier accepts.",
    action: "Send a smaller file (under about 600 KB) or a link to it instead.",
    kind: "content",
    retryable: false,
  },
  // 30034 "Message from an unregistered number": US A2P 10DLC — the sending long code is
  // not registered to an approved campaign (or not in the campaign's Messaging Service).
  30034: {
    title: "Sender not registered for US texting",
    explanation:
      "US carriers block SMS from 10-digit numbers that are not registered to an approved A2P 10DLC campaign.",
    action:
      "Register the number to an A2P 10DLC campaign (or add it to the campaign's Messaging Service) in the Twilio Console.",
    kind: "sender-setup",
    retryable: false,
  },
};

/**
 * Explains a delivery error code (from a delivery receipt, a status callback or a send
 * failure) for an operator: a title, one sentence, an action and a kind. Never throws: an
 * unknown code gets a generic explanation (using the REST error table's meaning when it
 * has one) and a link to Twilio's page; a missing code says so.
 */
export function explainDeliveryError(
  code: number | string | null | undefined,
): DeliveryErrorExplanation {
  const numeric = typeof code === "string" && /^\d{1,10}$/.test(code.trim()) ? Number(code) : code;
  if (typeof numeric !== "number" || !Number.isInteger(numeric) || numeric <= 0) {
    return {
      code: undefined,
      title: "Delivery failed",
      explanation: "Twilio reported the message as not delivered without an error code.",
      action: "Open the message in the Twilio Console's Messaging logs for details.",
      kind: "unknown",
      retryable: false,
      docsUrl: undefined,
    };
  }
  const docsUrl = `https://www.twilio.com/docs/api/errors/${numeric}`;
  const known = deliveryErrorExplanations[numeric];
  if (known !== undefined) return { code: numeric, ...known, docsUrl };
  const meaning = twilioErrorCodes[numeric]?.meaning;
  return {
    code: numeric,
    title: `Twilio error ${numeric}`,
    explanation:
      meaning === undefined
        ? `Twilio reported error ${numeric}; switchboard has no explanation for it.`
        : `Twilio reported error ${numeric}: ${meaning}.`,
    action: `Look the code up at ${docsUrl}.`,
    kind: "unknown",
    retryable: false,
    docsUrl,
  };
}
