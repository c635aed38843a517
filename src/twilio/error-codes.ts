import {
  AddressInUseError,
  AmbiguousSendError,
  ConversationClosedError,
  IdentityInUseError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  ServiceNotFoundError,
  TwilioApiError,
  TwilioError,
  type TwilioErrorOptions,
  UniqueNameTakenError,
} from "./errors.js";

/** One row of the Twilio error-code table. */
export interface TwilioErrorCodeInfo {
  /** The HTTP status Twilio answers with; `undefined` where not verified or not an HTTP error. */
  status: number | undefined;
  /** The stable switchboard `code` the error maps to. */
  code: string;
  /** The class `toSwitchboardError` builds. */
  errorClass: string;
  meaning: string;
}

/**
 * Twilio error codes switchboard recognises. Statuses for 20003, 20404 and 20429 are
 * verified; the others are likely — kept in one table so they are easy to correct.
 */
export const twilioErrorCodes: Readonly<Record<number, TwilioErrorCodeInfo>> = {
  20003: {
    status: 401,
    code: "invalid_credentials",
    errorClass: "InvalidCredentialsError",
    meaning: "authentication failed (bad SID/token or API key)",
  },
  20404: {
    status: 404,
    code: "not_found",
    errorClass: "NotFoundError",
    meaning: "resource not found (ServiceNotFoundError when it is the service)",
  },
  20429: {
    status: 429,
    code: "rate_limited",
    errorClass: "RateLimitedError",
    meaning: "too many concurrent requests; never processed, always safe to retry",
  },
  50063: {
    status: 429,
    code: "rate_limited",
    errorClass: "RateLimitedError",
    meaning: "actions-per-second limit per conversation",
  },
  50074: {
    status: 429,
    code: "rate_limited",
    errorClass: "RateLimitedError",
    meaning: "actions-per-second limit per service",
  },
  50350: {
    status: 404,
    code: "not_found",
    errorClass: "NotFoundError",
    meaning: "conversation not found",
  },
  50353: {
    status: 409,
    code: "unique_name_taken",
    errorClass: "UniqueNameTakenError",
    meaning: "a conversation with this unique name already exists",
  },
  50377: {
    status: 400,
    code: "conversation_closed",
    errorClass: "ConversationClosedError",
    meaning: "the conversation is closed; closed is final",
  },
  50384: {
    status: 400,
    code: "invalid_state",
    errorClass: "TwilioApiError",
    meaning: "cannot create a conversation in state closed",
  },
  50416: {
    status: 409,
    code: "address_in_use",
    errorClass: "AddressInUseError",
    meaning: "this Address+ProxyAddress pair is in another non-closed conversation",
  },
  50418: {
    status: 400,
    code: "too_many_participants",
    errorClass: "TwilioApiError",
    meaning: "more than 50 non-chat participants",
  },
  50432: {
    status: 404,
    code: "not_found",
    errorClass: "NotFoundError",
    meaning: "participant not found",
  },
  50433: {
    status: 409,
    code: "identity_in_use",
    errorClass: "IdentityInUseError",
    meaning: "a chat participant with this identity already exists",
  },
  21617: {
    status: 400,
    code: "body_too_long",
    errorClass: "TwilioApiError",
    meaning: "body longer than 1600 characters",
  },
  63016: {
    status: undefined,
    code: "whatsapp_window_closed",
    errorClass: "TwilioApiError",
    meaning: "WhatsApp free-form message outside the 24-hour window; send a template",
  },
};

/** What the caller was doing, so the error can say so and pick the right class. */
export interface TwilioErrorContext {
  /** e.g. `"messages.create"`; appears in messages. */
  operation: string;
  /** Which resource the call addressed; a 20404 on `"service"` becomes `ServiceNotFoundError`. */
  resource?:
    | "service"
    | "conversation"
    | "participant"
    | "message"
    | "user"
    | "webhook"
    | undefined;
  serviceSid?: string | undefined;
  conversationSid?: string | undefined;
  /**
   * True for calls that create something and are not idempotent: a 5xx or a timeout after
   * the request left makes the outcome unknown (`AmbiguousSendError`).
   */
  isCreate?: boolean | undefined;
  /** What was being sent, carried by `AmbiguousSendError` (never credentials). */
  payload?: Readonly<Record<string, unknown>> | undefined;
  /** Participant fields, carried by `AddressInUseError` / `IdentityInUseError`. */
  address?: string | undefined;
  proxyAddress?: string | undefined;
  identity?: string | undefined;
  uniqueName?: string | undefined;
  /** The `Retry-After` response header, if the HTTP client exposed it. */
  retryAfter?: string | null | undefined;
  /** Clock for `Retry-After` HTTP dates; defaults to `Date.now`. */
  now?: () => number;
}

/** Connection failures where the request never reached Twilio: safe to retry. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** Failures after the request may have left: the outcome is unknown. */
const maybeSentCodes = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * Maps anything the official SDK throws into switchboard's error classes: a `RestException`
 * (`status`, `code`, `message`, `moreInfo`, `details`), an RFC 9457 `TwilioServiceException`
 * (`status`, `code`, `title`, `detail`), or a connection error (`code` like `ECONNRESET`).
 * A switchboard error passes through unchanged.
 */
export function toSwitchboardError(error: unknown, context: TwilioErrorContext): TwilioError {
  if (error instanceof TwilioError) return error;
  const fields = readErrorFields(error);

  if (fields.status === undefined) {
    return connectionError(error, fields.errno, context);
  }

  const retryAfterMs = parseRetryAfter(context.retryAfter, context.now ?? Date.now);
  const options: TwilioErrorOptions = {
    cause: error,
    status: fields.status,
    twilioCode: fields.twilioCode,
    moreInfo: fields.moreInfo,
    retryAfterMs,
  };
  const twilioMessage = fields.message ?? `HTTP ${fields.status}`;
  const described = `${context.operation} failed: ${twilioMessage}`;

  switch (fields.twilioCode) {
    case 20003:
      return new InvalidCredentialsError(options);
    case 20404:
    case 50350:
    case 50432:
      if (context.resource === "service")
        return new ServiceNotFoundError(context.serviceSid, options);
      return new NotFoundError(described, options);
    case 20429:
    case 50063:
    case 50074:
      return new RateLimitedError(described, options);
    case 50353:
      return new UniqueNameTakenError(context.uniqueName, options);
    case 50377:
      return new ConversationClosedError(context.conversationSid, options);
    case 50416:
      return new AddressInUseError(
        {
          address: context.address,
          proxyAddress: context.proxyAddress,
          conversationSid: findConversationSid(twilioMessage),
        },
        described,
        options,
      );
    case 50433:
      return new IdentityInUseError(context.identity, described, options);
  }

  if (fields.status === 401 && fields.twilioCode === undefined)
    return new InvalidCredentialsError(options);
  if (fields.status === 429) return new RateLimitedError(described, options);
  if (fields.status >= 500) {
    if (context.isCreate) {
      return new AmbiguousSendError(
        attemptOf(context),
        `${described} — the create may or may not have happened; look for it before resending.`,
        options,
      );
    }
    return new TwilioApiError(described, {
      ...options,
      isRetryable: true,
      code: "twilio_unavailable",
    });
  }
  const known = fields.twilioCode === undefined ? undefined : twilioErrorCodes[fields.twilioCode];
  return new TwilioApiError(described, { ...options, code: known?.code ?? "twilio_api_error" });
}

interface ErrorFields {
  status: number | undefined;
  twilioCode: number | undefined;
  message: string | undefined;
  moreInfo: string | undefined;
  errno: string | undefined;
}

function readErrorFields(error: unknown): ErrorFields {
  const record = (typeof error === "object" && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const status = typeof record.status === "number" ? record.status : undefined;
  const code = record.code;
  const detail = typeof record.detail === "string" ? record.detail : undefined;
  const title = typeof record.title === "string" ? record.title : undefined;
  const message =
    typeof record.message === "string" && record.message !== "" ? record.message : undefined;
  return {
    status,
    twilioCode: typeof code === "number" ? code : undefined,
    message: detail ?? message ?? title,
    moreInfo: typeof record.moreInfo === "string" ? record.moreInfo : undefined,
    errno: typeof code === "string" ? code : undefined,
  };
}

function connectionError(
  error: unknown,
  errno: string | undefined,
  context: TwilioErrorContext,
): TwilioError {
  const reason = errno ?? (error instanceof Error ? error.message : String(error));
  const neverSent = errno !== undefined && notSentCodes.has(errno);
  if (!neverSent && context.isCreate) {
    return new AmbiguousSendError(
      attemptOf(context),
      `${context.operation}: the connection failed (${reason}) after the request may have reached Twilio; look for the result before resending.`,
      { cause: error },
    );
  }
  const lost = errno !== undefined && maybeSentCodes.has(errno);
  const url = requestUrlOf(error);
  const where = url === undefined ? "Twilio" : `Twilio at ${url}`;
  return new TwilioApiError(`${context.operation}: could not reach ${where} (${reason}).`, {
    cause: error,
    isRetryable: true,
    code: lost ? "connection_lost" : "connection_failed",
  });
}

/**
 * The URL a failed request went to (the SDK's HTTP client keeps it in `config.url`), so an
 * operator sees which host was unreachable — a typo in an emulator URL, a region, a proxy.
 * Only origin and path: a query string may carry a phone number.
 */
function requestUrlOf(error: unknown): string | undefined {
  const raw = (error as { config?: { url?: unknown } } | null)?.config?.url;
  if (typeof raw !== "string") return undefined;
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

function attemptOf(context: TwilioErrorContext) {
  return {
    operation: context.operation,
    conversationSid: context.conversationSid,
    payload: context.payload,
  };
}

function findConversationSid(text: string): string | undefined {
  return /CH[0-9a-fA-F]{32}/.exec(text)?.[0];
}

/**
 * `Retry-After` is either delta-seconds or an HTTP date; returns milliseconds from now, or
 * `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now());
}
