import { ConfigError } from "../../../errors.js";
import { maskAddress } from "../../channels/address.js";
import {
  WebhookEventRefusedError,
  WebhookParseError,
  WebhookPayloadTooLargeError,
  WebhookSignatureError,
} from "../../errors.js";
import { silentLogger, type TwilioLogger } from "../../logger.js";
import type { WebhookEvent } from "../event-types.js";
import { type ParseWebhookEventOptions, parseWebhookEvent } from "../parse-webhook-event.js";
import type { WebhookInput } from "../read-request.js";

/** Options every webhook handler takes. */
export interface WebhookHandlerOptions extends ParseWebhookEventOptions {
  /**
   * Receives each verified event. Resolve once it is durably recorded: the 200 tells Twilio
   * not to retry. A rejection answers 500, so Twilio retries — except a
   * `WebhookEventRefusedError`, which answers 422: the event can never be processed, so a
   * retry would only fail again. Keep it fast — Twilio gives up after 5 seconds — and never
   * run the agent here.
   */
  onEvent: (event: WebhookEvent) => unknown;
  logger?: TwilioLogger | undefined;
}

/** The answer to write back, independent of the HTTP framework. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  /** Always empty: the reason for a refusal goes to the log, never to the caller. */
  body: "";
}

/**
 * The one place webhook outcomes become HTTP: 200 accepted, 403 bad signature, 400
 * malformed, 413 oversized, 422 refused for good by the receiver, 500 for a handler failure
 * or missing configuration. Never throws.
 */
export async function handleWebhookRequest(
  input: WebhookInput,
  options: WebhookHandlerOptions,
): Promise<WebhookResponse> {
  const logger = options.logger ?? silentLogger;
  let event: WebhookEvent;
  try {
    event = await parseWebhookEvent(input, options);
  } catch (error) {
    return refusal(error, logger);
  }
  try {
    await options.onEvent(event);
  } catch (error) {
    if (error instanceof WebhookEventRefusedError) {
      // A 4xx, not a 5xx: Twilio retries a webhook whose delivery failed (connection
      // failures, and the response classes chosen with the URL's `#rc=`/`#rp=` connection
      // overrides: https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides),
      // and a 5xx is what every retry policy treats as "try again". An event that can never
      // be stored would fail the same way forever; 422 says "understood, will never accept"
      // and the receiver has already kept it (the service's inbound dead letters). Should an
      // operator opt into 4xx retries too, a retry is recorded once (dedupe by message SID).
      logger.warn(
        {
          code: error.code,
          field: error.field,
          eventType: event.twilioEventType,
          conversationId: event.conversationId,
          messageSid: event.data && "messageSid" in event.data ? event.data.messageSid : undefined,
        },
        "webhook refused for good: the event can never be stored; answering 422 so it is not retried",
      );
      return respond(422);
    }
    logger.error(
      { err: error, eventType: event.twilioEventType, conversationId: event.conversationId },
      "webhook onEvent failed; answering 500 so Twilio retries",
    );
    return respond(500);
  }
  // Built only for a logger that keeps debug lines: the fields (and the masked author) of
  // every accepted webhook were a measurable share of the ingest path.
  if (logsDebug(logger))
    logger.debug(
      {
        eventType: event.twilioEventType,
        conversationId: event.conversationId,
        author:
          "author" in event.data && event.data.author !== undefined
            ? maskAddress(event.data.author)
            : undefined,
        retryCount: event.retryCount,
      },
      "webhook accepted",
    );
  return respond(200);
}

/** False for the silent default, and for a pino-style logger whose level is above debug. */
function logsDebug(logger: TwilioLogger): boolean {
  if (logger === silentLogger) return false;
  const { isLevelEnabled } = logger as { isLevelEnabled?: unknown };
  return typeof isLevelEnabled !== "function" || isLevelEnabled.call(logger, "debug") === true;
}

function refusal(error: unknown, logger: TwilioLogger): WebhookResponse {
  if (error instanceof WebhookSignatureError) {
    logger.warn(
      { code: error.code, urlsTried: error.urlsTried, reason: error.message },
      "webhook refused: bad signature",
    );
    // The body may be unread (refused from the headers alone): closing the connection
    // drops it instead of draining it for keep-alive.
    return respond(403, { connection: "close" });
  }
  if (error instanceof WebhookPayloadTooLargeError) {
    logger.warn(
      { code: error.code, limitBytes: error.limitBytes },
      "webhook refused: body too large",
    );
    // Closing the connection stops a client that keeps streaming past the limit.
    return respond(413, { connection: "close" });
  }
  if (error instanceof WebhookParseError) {
    logger.warn(
      { code: error.code, field: error.field, reason: error.message },
      "webhook refused: malformed",
    );
    return respond(400);
  }
  if (error instanceof ConfigError) {
    logger.error(
      { code: error.code, option: error.option, reason: error.message },
      "webhook refused: misconfigured",
    );
    return respond(500);
  }
  logger.error({ err: error }, "webhook failed unexpectedly");
  return respond(500);
}

const plainText = "text/plain; charset=utf-8";

function respond(status: number, headers?: Record<string, string>): WebhookResponse {
  return {
    status,
    headers:
      headers === undefined
        ? { "content-type": plainText }
        : { "content-type": plainText, ...headers },
    body: "",
  };
}
