import { describeValue } from "../../../describe-value.js";
import { ConfigError } from "../../../errors.js";
import { refuseUnknownOptions } from "../../../refuse-unknown-options.js";
import { validateParseOptions } from "../validate-parse-options.js";
import type { WebhookHandlerOptions } from "./handle-webhook-request.js";

/** Every option a webhook handler takes: any other key is a typo, refused by name. */
export const webhookHandlerOptionKeys = {
  onEvent: true,
  logger: true,
  authToken: true,
  sharedKey: true,
  url: true,
  verify: true,
  env: true,
  now: true,
  maxBodyBytes: true,
  maxParams: true,
  trustProxy: true,
} as const satisfies Record<keyof WebhookHandlerOptions, true>;

/**
 * Checks a handler's options when it is created, naming the option, so a mistake fails at
 * start rather than as a 500 at the first webhook: `onEvent` must be a function, a token
 * must be at hand (`authToken`, else `TWILIO_AUTH_TOKEN` in `env`) unless `verify: false`,
 * limits must be positive whole numbers, and no key may be unknown. `owner` is the factory.
 */
export function validateWebhookHandlerOptions(
  options: WebhookHandlerOptions,
  owner: string,
  known: Readonly<Record<string, true>> = webhookHandlerOptionKeys,
): void {
  if (typeof options !== "object" || options === null)
    throw new ConfigError(
      "options",
      `${owner} needs options with at least onEvent: ${owner}({ onEvent, authToken }); got ${describeValue(options)}.`,
    );
  refuseUnknownOptions(options, known, "", owner);
  if (typeof options.onEvent !== "function")
    throw new ConfigError(
      "onEvent",
      `${owner} needs onEvent, a function that receives each verified event and resolves once it is durably recorded; got ${describeValue(options.onEvent)}.`,
    );
  validateParseOptions(options, owner);
  const logger = options.logger as unknown as Record<string, unknown> | undefined;
  if (
    logger !== undefined &&
    (typeof logger !== "object" ||
      logger === null ||
      !["debug", "info", "warn", "error"].every((level) => typeof logger[level] === "function"))
  )
    throw new ConfigError(
      "logger",
      `${owner}: logger must have debug, info, warn and error methods (a pino logger fits); got ${describeValue(logger)}.`,
    );
  if (options.url !== undefined && !/^https?:\/\/[^/?#]+/i.test(options.url))
    throw new ConfigError(
      "url",
      `${owner}: url must be the absolute public URL Twilio calls, exactly as configured there (https://…); got ${describeValue(options.url)}.`,
    );
  if (options.verify !== false && tokenOf(options) === undefined)
    throw new ConfigError(
      "authToken",
      `${owner} cannot verify webhook signatures: give authToken or set TWILIO_AUTH_TOKEN; it is the Auth Token in the Twilio Console → Account Info. Only in tests or behind a trusted relay, verify: false turns verification off.`,
    );
}

/** The token the parser will verify with: the option, else the variable (as it reads them). */
function tokenOf(options: WebhookHandlerOptions): string | undefined {
  if (options.authToken !== undefined) return nonBlank(options.authToken);
  return nonBlank((options.env ?? process.env).TWILIO_AUTH_TOKEN);
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
