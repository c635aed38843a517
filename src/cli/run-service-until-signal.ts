import type { CommandIo } from "./run-emulator-until-signal.js";

/**
 * Waits for SIGINT or SIGTERM, then runs `stop` (close the server, drain turns, stop the
 * providers, close the mailbox). A second signal while stopping exits at once with 1.
 */
export async function waitForSignalThen(
  io: CommandIo,
  what: string,
  stop: () => Promise<void>,
): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const received = (name: NodeJS.Signals) => {
      process.off("SIGINT", received);
      process.off("SIGTERM", received);
      resolve(name);
    };
    process.on("SIGINT", received);
    process.on("SIGTERM", received);
  });
  io.stderr.write(`\nReceived ${signal}; stopping ${what}…\n`);
  const force = () => {
    io.stderr.write("Stopping now.\n");
    process.exit(1);
  };
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  try {
    await stop();
  } finally {
    process.off("SIGINT", force);
    process.off("SIGTERM", force);
  }
  io.stderr.write("Stopped.\n");
  return 0;
}
