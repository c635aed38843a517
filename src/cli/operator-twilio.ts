import { ConfigError } from "../errors.js";
import { twilioEnvironmentVariables } from "../twilio/config.js";
import { findRunningDev } from "./dev-state-file.js";
import { twilioEmulatorVariable } from "./serve-command.js";
import { twilioFromEnv } from "./twilio-from-env.js";

/**
 * The operator commands' Twilio (`switchboard conversations`, `switchboard send`): the
 * credentials in the environment when `TWILIO_ACCOUNT_SID` is set; otherwise the
 * emulator of the `switchboard dev` running in `cwd` (found through `.switchboard/dev.json`,
 * checked alive), so no `TWILIO_*` variables are needed in development. With neither,
 * the missing-variable error also says that a running `dev` would do.
 */
export async function operatorTwilio(
  environment: NodeJS.ProcessEnv,
  emulatorUrl: string | undefined,
  cwd: string,
): Promise<ReturnType<typeof twilioFromEnv>> {
  if (environment[twilioEnvironmentVariables.accountSid]?.trim())
    return twilioFromEnv(environment, emulatorUrl);
  const found = await findRunningDev(cwd);
  if (found.kind === "running") {
    const { dev } = found;
    return twilioFromEnv(
      {
        ...environment,
        [twilioEnvironmentVariables.accountSid]: dev.accountSid,
        [twilioEnvironmentVariables.authToken]: dev.authToken,
        [twilioEnvironmentVariables.conversationsServiceSid]: dev.serviceSid,
      },
      // An emulator named explicitly (flag or variable) still wins over the discovered one.
      emulatorUrl ?? environment[twilioEmulatorVariable] ?? dev.emulatorUrl,
    );
  }
  try {
    return twilioFromEnv(environment, emulatorUrl);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const devHint =
      found.kind === "stale"
        ? `.switchboard/dev.json is stale (${found.reason}); start \`switchboard dev\` again, or set them`
        : "or run `switchboard dev` in this folder: these commands then use its emulator by themselves";
    throw new ConfigError(error.option, `${error.message} (${devHint})`, { cause: error });
  }
}
