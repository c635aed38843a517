import { CliUsageError } from "./cli-usage-error.js";
import { defaultEmulatorPort, parsePort } from "./parse-emulator-flags.js";
import { type CommandIo, runEmulatorUntilSignal } from "./run-emulator-until-signal.js";

/**
 * `switchboard dev` (what `npm start` runs). For now it starts the emulator on
 * `EMULATOR_PORT` (default 4010); the full service joins it here later.
 */
export async function runDevCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    if (argv.length > 0) throw new CliUsageError(`unexpected argument "${argv[0]}"`);
    const port = parsePort(
      environment.EMULATOR_PORT ?? String(defaultEmulatorPort),
      "EMULATOR_PORT",
    );
    return await runEmulatorUntilSignal({ port }, io);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`switchboard dev: ${error.message}\n`);
    return 2;
  }
}
