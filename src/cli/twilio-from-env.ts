import twilio from "twilio";
import { EmulatorRequestClient } from "../emulator/http/emulator-request-client.js";
import type { TwilioProviderOptions } from "../twilio/config.js";
import { configFromEnv } from "../twilio/config.js";
import { TwilioProvider } from "../twilio/provider/twilio-provider.js";
import { CliUsageError } from "./cli-usage-error.js";
import { twilioEmulatorVariable } from "./serve-command.js";

/**
 * The operator commands' Twilio: credentials from the environment (`configFromEnv`, whose
 * errors name the missing variable), requests sent to a running emulator when
 * `SWITCHBOARD_TWILIO_EMULATOR_URL` (or `--twilio-emulator`) names one.
 */
export function twilioFromEnv(
  environment: NodeJS.ProcessEnv,
  emulatorUrl: string | undefined = environment[twilioEmulatorVariable],
): { options: TwilioProviderOptions; client: twilio.Twilio; provider: TwilioProvider } {
  if (emulatorUrl !== undefined && !/^https?:\/\/\S+$/.test(emulatorUrl))
    throw new CliUsageError(`--twilio-emulator must be an http(s) URL, not "${emulatorUrl}"`);
  const options = configFromEnv(environment);
  const httpClient =
    emulatorUrl === undefined
      ? undefined
      : new EmulatorRequestClient(emulatorUrl, { timeout: 30_000 });
  const username = options.apiKeySid ?? options.accountSid;
  const password = options.apiKeySecret ?? options.authToken ?? "";
  const client = twilio(username, password, {
    accountSid: options.accountSid,
    ...(httpClient === undefined ? {} : { httpClient }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.edge === undefined ? {} : { edge: options.edge }),
  });
  const provider = new TwilioProvider({
    ...options,
    ...(httpClient === undefined ? {} : { httpClient }),
  });
  return { options, client, provider };
}
