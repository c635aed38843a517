import { CliUsageError } from "./cli-usage-error.js";
import { parseEmulatorFlags } from "./parse-emulator-flags.js";
import { type CommandIo, runEmulatorUntilSignal } from "./run-emulator-until-signal.js";

export const emulatorUsage = `Usage: switchboard emulator [--port 4010] [--host 127.0.0.1] [--webhook-url URL] [--state PATH]

Starts a local Twilio Conversations emulator. --webhook-url receives every post-event
webhook of the default service. --port 0 picks a free port. --state keeps conversations,
messages, media and the rest in that file across restarts (in memory only without it).
`;

/** `switchboard emulator`: exit 2 on bad flags, 0 after a clean stop. */
export async function runEmulatorCommand(
  argv: readonly string[],
  io: CommandIo = process,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(emulatorUsage);
    return 0;
  }
  let flags: ReturnType<typeof parseEmulatorFlags>;
  try {
    flags = parseEmulatorFlags(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`switchboard emulator: ${error.message}\n\n${emulatorUsage}`);
    return 2;
  }
  return runEmulatorUntilSignal(
    {
      port: flags.port,
      host: flags.host,
      ...(flags.webhookUrl === undefined ? {} : { webhookUrl: flags.webhookUrl }),
      ...(flags.statePath === undefined ? {} : { statePath: flags.statePath }),
    },
    io,
  );
}
