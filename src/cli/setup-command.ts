import { normalizePhoneNumber } from "../twilio/channels/address.js";
import { InvalidAddressError } from "../twilio/errors.js";
import { applySetup } from "../twilio/setup/apply-setup.js";
import { formatSetupPlan } from "../twilio/setup/format-setup-plan.js";
import { planSetup } from "../twilio/setup/plan-setup.js";
import { CliUsageError } from "./cli-usage-error.js";
import { parseFlags } from "./parse-flags.js";
import type { CommandIo } from "./run-emulator-until-signal.js";
import { twilioFromEnv } from "./twilio-from-env.js";

export const setupUsage = `Usage: switchboard setup [--url URL] [--sms +1555…]… [--whatsapp +1555…]…
                        [--dry-run] [--take-over] [--twilio-emulator URL]
Points the Conversations service (TWILIO_CONVERSATIONS_SERVICE_SID) post-event webhook at
switchboard and makes the given numbers auto-create conversations in it. --url defaults to
TWILIO_WEBHOOK_URL, else SWITCHBOARD_PUBLIC_URL + /twilio/webhook. Prints every change;
running it again changes nothing. --dry-run only prints what it would do. Numbers that
belong to another service are left alone unless --take-over.
`;

/** `switchboard setup`: 0 done (or nothing to do), 1 Twilio/config failure, 2 bad flags. */
export async function runSetupCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(setupUsage);
    return 0;
  }
  try {
    const flags = parseFlags(argv, {
      url: "value",
      sms: "repeat",
      whatsapp: "repeat",
      "dry-run": "switch",
      "take-over": "switch",
      "twilio-emulator": "value",
    });
    const publicUrl = environment.SWITCHBOARD_PUBLIC_URL?.replace(/\/+$/, "");
    const url =
      flags.values.get("url") ??
      environment.TWILIO_WEBHOOK_URL ??
      (publicUrl === undefined || publicUrl === "" ? undefined : `${publicUrl}/twilio/webhook`);
    if (url === undefined)
      throw new CliUsageError(
        "give the webhook URL with --url https://your.host/twilio/webhook (or set TWILIO_WEBHOOK_URL)",
      );
    if (!/^https?:\/\/\S+$/.test(url))
      throw new CliUsageError(`--url must be an http(s) URL, not "${url}"`);
    for (const flag of ["sms", "whatsapp"] as const)
      for (const number of flags.repeated.get(flag) ?? []) checkNumberFlag(flag, number);
    const { client, options } = twilioFromEnv(environment, flags.values.get("twilio-emulator"));
    const dryRun = flags.switches.has("dry-run");
    io.stderr.write(`Reading service ${options.conversationsServiceSid}…\n`);
    const plan = await planSetup({
      client,
      serviceSid: options.conversationsServiceSid,
      webhookUrl: url,
      numbers: {
        sms: flags.repeated.get("sms") ?? [],
        whatsapp: flags.repeated.get("whatsapp") ?? [],
      },
      takeOverAddresses: flags.switches.has("take-over"),
    });
    if (!dryRun)
      await applySetup(plan, {
        onChange: (change) => io.stderr.write(`  applying ${change.kind} ${change.target}…\n`),
      });
    io.stdout.write(`${formatSetupPlan(plan, { dryRun }).join("\n")}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`switchboard setup: ${error.message}\n\n${setupUsage}`);
      return 2;
    }
    // Configuration errors name the variable; Twilio's own errors say what it refused.
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard setup: ${reason}\n`);
    return 1;
  }
}

/**
 * A number typed on the command line is checked before the credentials are read, and the
 * message quotes it as typed: it is the operator's own input on their own terminal, so
 * masking it (as library errors do, since those may reach logs) would only hide the typo.
 */
function checkNumberFlag(flag: "sms" | "whatsapp", number: string): void {
  if (flag === "sms" && number.trim().toLowerCase().startsWith("whatsapp:"))
    throw new CliUsageError(`--sms "${number}" is a WhatsApp address; give it with --whatsapp`);
  try {
    normalizePhoneNumber(number);
  } catch (error) {
    if (!(error instanceof InvalidAddressError)) throw error;
    throw new CliUsageError(
      `--${flag} "${number}" is not an E.164 phone number; write it with the country code, like +15551230001`,
    );
  }
}
