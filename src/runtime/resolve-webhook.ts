import { ConfigError } from "../errors.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { RuntimeProvider } from "./runtime-provider.js";
import type { SwitchboardWebhookOptions } from "./switchboard-options.js";

/**
 * How the switchboard's webhook is verified, resolved once at construction: what an HTTP
 * layer needs to mount the webhook (`createNodeWebhookHandler({ ...webhook, onEvent })`).
 * Holds the Auth Token: never log it.
 */
export interface SwitchboardWebhook {
  /** Route of the Conversations webhook, e.g. `/twilio/webhook`. */
  path: string;
  /** `false` only when `webhook.verify: false` was given. */
  verify: boolean;
  /** The token signatures are checked with; `undefined` only when `verify` is false. */
  authToken: string | undefined;
  /** The public URL Twilio signs; `undefined`: the URL the request arrived at. */
  url: string | undefined;
  trustProxy: boolean;
  logger: TwilioLogger;
}

/**
 * Each value comes from the option, else the provider's own (a `TwilioProvider` built with
 * an Auth Token and `webhookUrl` verifies with them), else `TWILIO_AUTH_TOKEN` /
 * `TWILIO_WEBHOOK_URL` (read by the parser). A switchboard that could not verify any webhook is refused here,
 * naming the option — before, it answered every webhook 500 at run time.
 */
export function resolveWebhook(
  options: SwitchboardWebhookOptions & { path: string },
  provider: RuntimeProvider,
  logger: TwilioLogger,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): SwitchboardWebhook {
  const verify = options.verify !== false;
  const fromProvider = provider.webhookVerification;
  const authToken =
    options.authToken ?? fromProvider?.authToken ?? nonBlank(environment.TWILIO_AUTH_TOKEN);
  if (verify && authToken === undefined)
    throw new ConfigError(
      "webhook.authToken",
      "createSwitchboard cannot verify webhook signatures: give webhook.authToken (or set TWILIO_AUTH_TOKEN, or build the provider with its authToken); it is the Auth Token in the Twilio Console. Only behind a trusted relay, webhook.verify: false turns verification off.",
    );
  return {
    path: options.path,
    verify,
    authToken: verify ? authToken : undefined,
    // `TWILIO_WEBHOOK_URL` is left to the parser, which also tries it with the request's path.
    url: options.url ?? fromProvider?.url,
    trustProxy: options.trustProxy === true,
    logger,
  };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
