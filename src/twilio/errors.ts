import { SwitchboardError } from "../errors.js";

/** Fields every Twilio-boundary error may carry; all optional so each class sets what it knows. */
export interface TwilioErrorOptions {
  cause?: unknown;
  /** Twilio's numeric error code (`20003`, `50416` …) when Twilio sent one. */
  twilioCode?: number | undefined;
  /**
   * The HTTP status: the one Twilio answered with for REST errors, or the one the webhook
   * handler answers with for webhook errors (403, 400, 413). The single place that maps
   * errors to HTTP reads this field.
   */
  status?: number | undefined;
  isRetryable?: boolean;
  /** How long to wait before retrying, from `Retry-After` when Twilio sent one. */
  retryAfterMs?: number | undefined;
  /** Twilio's documentation link for `twilioCode`. */
  moreInfo?: string | undefined;
}

/**
 * The base of every error that crosses the Twilio boundary. Catch this to handle anything
 * Twilio-related; switch on `code` (stable) rather than on the message.
 */
export class TwilioError extends SwitchboardError {
  readonly twilioCode: number | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly moreInfo: string | undefined;

  constructor(code: string, message: string, options: TwilioErrorOptions = {}) {
    super(code, message, {
      cause: options.cause,
      isRetryable: options.isRetryable ?? false,
    });
    this.twilioCode = options.twilioCode;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.moreInfo = options.moreInfo;
  }
}

/** A Twilio REST call failed; the generic class, and the parent of the specific ones below. */
export class TwilioApiError extends TwilioError {
  constructor(message: string, options: TwilioErrorOptions & { code?: string } = {}) {
    super(options.code ?? "twilio_api_error", message, options);
  }
}

/** 20003: the Account SID / Auth Token (or API key) pair was rejected. */
export class InvalidCredentialsError extends TwilioApiError {
  constructor(options: TwilioErrorOptions = {}) {
    super(
      "Invalid credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET); find them in Twilio Console → Account Info.",
      { twilioCode: 20003, status: 401, ...options, code: "invalid_credentials" },
    );
  }
}

/** 20404 on the Conversations service itself: the configured `IS…` SID does not exist. */
export class ServiceNotFoundError extends TwilioApiError {
  readonly serviceSid: string | undefined;
  constructor(serviceSid: string | undefined, options: TwilioErrorOptions = {}) {
    super(
      `Service not found: ${serviceSid ?? "the configured service"} does not exist in this account; check TWILIO_CONVERSATIONS_SERVICE_SID against Twilio Console → Conversations → Manage → Services.`,
      { twilioCode: 20404, status: 404, ...options, code: "service_not_found" },
    );
    this.serviceSid = serviceSid;
  }
}

/** 20404 / 50350 / 50432 on anything else: the conversation, participant or message is gone. */
export class NotFoundError extends TwilioApiError {
  constructor(message: string, options: TwilioErrorOptions = {}) {
    super(message, { status: 404, ...options, code: "not_found" });
  }
}

/** 20429, 50063, 50074: too many requests. Never processed, so always safe to retry. */
export class RateLimitedError extends TwilioApiError {
  constructor(message: string, options: TwilioErrorOptions = {}) {
    super(message, { status: 429, ...options, isRetryable: true, code: "rate_limited" });
  }
}

/** 50377: the conversation is closed, which is final; start a new conversation instead. */
export class ConversationClosedError extends TwilioApiError {
  readonly conversationSid: string | undefined;
  constructor(conversationSid: string | undefined, options: TwilioErrorOptions = {}) {
    super(
      `Conversation ${conversationSid ?? "(unknown)"} is closed; closed is final, so create a new conversation for this customer.`,
      { twilioCode: 50377, status: 400, ...options, code: "conversation_closed" },
    );
    this.conversationSid = conversationSid;
  }
}

/** 50353: another conversation already has this `UniqueName`. */
export class UniqueNameTakenError extends TwilioApiError {
  readonly uniqueName: string | undefined;
  constructor(uniqueName: string | undefined, options: TwilioErrorOptions = {}) {
    super(`A conversation with unique name ${uniqueName ?? "(unknown)"} already exists.`, {
      twilioCode: 50353,
      status: 409,
      ...options,
      code: "unique_name_taken",
    });
    this.uniqueName = uniqueName;
  }
}

/**
 * 50416: this customer address and proxy (sender) address are already paired in another
 * non-closed conversation. `conversationSid` names it when Twilio's message does.
 */
export class AddressInUseError extends TwilioApiError {
  readonly address: string | undefined;
  readonly proxyAddress: string | undefined;
  readonly conversationSid: string | undefined;
  constructor(
    fields: {
      address?: string | undefined;
      proxyAddress?: string | undefined;
      conversationSid?: string | undefined;
    },
    message: string,
    options: TwilioErrorOptions = {},
  ) {
    super(message, { twilioCode: 50416, status: 409, ...options, code: "address_in_use" });
    this.address = fields.address;
    this.proxyAddress = fields.proxyAddress;
    this.conversationSid = fields.conversationSid;
  }
}

/** 50433: a chat participant with this identity is already in the conversation. */
export class IdentityInUseError extends TwilioApiError {
  readonly identity: string | undefined;
  constructor(identity: string | undefined, message: string, options: TwilioErrorOptions = {}) {
    super(message, { twilioCode: 50433, status: 409, ...options, code: "identity_in_use" });
    this.identity = identity;
  }
}

/** What a create was trying to do when its outcome became unknown. */
export interface AmbiguousSendAttempt {
  /** e.g. `"messages.create"`. */
  operation: string;
  /** The conversation the create targeted, when known. */
  conversationSid?: string | undefined;
  /** The parameters that were sent (never credentials). */
  payload?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A create whose outcome is unknown: the request left, then a 5xx or a timeout came back.
 * Twilio may or may not have created the resource, so resending blindly risks a duplicate;
 * look for it first (the outbox searches recent messages' attributes for the reply id).
 */
export class AmbiguousSendError extends TwilioApiError {
  readonly attempt: AmbiguousSendAttempt;
  constructor(attempt: AmbiguousSendAttempt, message: string, options: TwilioErrorOptions = {}) {
    super(message, { ...options, isRetryable: false, code: "ambiguous_send" });
    this.attempt = attempt;
  }
}

/**
 * A bounded send (`SendMessageInput.timeoutMs`) reached its deadline before its request could
 * start (pacer waits, retries): nothing was sent, and it is worth trying again.
 */
export class SendDeadlineError extends TwilioError {
  constructor(message: string, options: TwilioErrorOptions = {}) {
    super("send_deadline", message, { ...options, isRetryable: true });
  }
}

/** Calls are refused without reaching Twilio because too many recent calls failed. */
export class CircuitOpenError extends TwilioError {
  constructor(message: string, options: TwilioErrorOptions = {}) {
    super("circuit_open", message, { ...options, isRetryable: true });
  }
}

/**
 * A webhook's `X-Twilio-Signature` is missing or does not match. Answered 403; the reason is
 * logged, never sent back.
 */
export class WebhookSignatureError extends TwilioError {
  /** Every URL the signature was checked against, so a mismatch can be diagnosed from logs. */
  readonly urlsTried: readonly string[];
  constructor(reason: string, urlsTried: readonly string[], options: TwilioErrorOptions = {}) {
    super("webhook_signature_invalid", webhookSignatureMessage(reason, urlsTried), {
      status: 403,
      ...options,
    });
    this.urlsTried = urlsTried;
  }
}

function webhookSignatureMessage(reason: string, urlsTried: readonly string[]): string {
  if (urlsTried.length === 0) return `Webhook signature rejected: ${reason}.`;
  return (
    `Webhook signature rejected: ${reason}. URLs tried: ${urlsTried.join(", ")}. ` +
    "Usual causes: a proxy or tunnel terminating https (Twilio signed https://, the app saw http://; " +
    "set the public URL with TWILIO_WEBHOOK_URL or enable trustProxy), a rewritten host, " +
    "a port added or removed, a trailing slash or different path than the URL configured in Twilio, " +
    "or the wrong Auth Token (another account, or a secondary token not yet promoted)."
  );
}

/** A webhook request is not a Conversations event we can read. Answered 400. */
export class WebhookParseError extends TwilioError {
  /** The form field at fault, when one is. */
  readonly field: string | undefined;
  constructor(message: string, options: TwilioErrorOptions & { field?: string | undefined } = {}) {
    super("webhook_malformed", message, { status: 400, ...options });
    this.field = options.field;
  }
}

/** A webhook body exceeded the size cap. Answered 413. */
export class WebhookPayloadTooLargeError extends TwilioError {
  readonly limitBytes: number;
  constructor(limitBytes: number, options: TwilioErrorOptions = {}) {
    super(
      "webhook_payload_too_large",
      `Webhook body exceeds the ${limitBytes}-byte limit (maxBodyBytes); Conversations webhooks are far smaller, so this is not from Twilio or the limit is misconfigured.`,
      { status: 413, ...options },
    );
    this.limitBytes = limitBytes;
  }
}

/** A subscriber fell too far behind an event stream and `missed` events were dropped. */
export class StreamOverflowError extends TwilioError {
  readonly missed: number;
  constructor(missed: number, options: TwilioErrorOptions = {}) {
    super(
      "stream_overflow",
      `Event stream overflowed: ${missed} events were dropped because the subscriber did not keep up; resynchronise from the REST API.`,
      options,
    );
    this.missed = missed;
  }
}

/** An address is not a valid E.164 phone number (optionally `whatsapp:`-prefixed). */
export class InvalidAddressError extends TwilioError {
  constructor(message: string, options: TwilioErrorOptions = {}) {
    super("invalid_address", message, options);
  }
}

/**
 * A verified webhook event the receiver refused for good: it can never be processed (the
 * message is too large to store, say), so retrying it is pointless. `onEvent` throws it to
 * have the webhook answer 422 instead of 500; the receiver records the event itself (the
 * service keeps it as an inbound dead letter).
 */
export class WebhookEventRefusedError extends TwilioError {
  /** What was refused, e.g. the mailbox field `body`. */
  readonly field: string | undefined;
  constructor(message: string, options: TwilioErrorOptions & { field?: string | undefined } = {}) {
    super("webhook_event_refused", message, { status: 422, isRetryable: false, ...options });
    this.field = options.field;
  }
}
