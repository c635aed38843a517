import { type StartEmulatorOptions, startEmulator } from "../emulator/start-emulator.js";
import { emulatorBanner } from "./emulator-banner.js";

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Starts the emulator, prints its banner, and runs until SIGINT or SIGTERM, then closes
 * it cleanly. Returns the exit code (1 when it cannot listen, e.g. the port is taken).
 */
export async function runEmulatorUntilSignal(
  options: StartEmulatorOptions,
  io: CommandIo,
): Promise<number> {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard: could not start the emulator: ${reason}\n`);
    return 1;
  }
  io.stdout.write(emulatorBanner(emulator, options.webhookUrl, options.statePath));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(received);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  io.stdout.write(`\nReceived ${signal}; stopping the emulator.\n`);
  await emulator.close();
  return 0;
}
