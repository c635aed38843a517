/** Dispatches `switchboard <command> [flags]`; returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(usage);
      return 0;
    case "emulator":
      return (await import("./emulator-command.js")).runEmulatorCommand(rest);
    case "dev":
      return (await import("./dev-command.js")).runDevCommand(rest);
    default:
      process.stderr.write(`switchboard: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

const usage = `Usage: switchboard <command> [options]

Commands:
  emulator    Run a local Twilio Conversations emulator
              [--port 4010] [--host 127.0.0.1] [--webhook-url URL]
  dev         Development mode (for now: the emulator on EMULATOR_PORT, default 4010)
  help        Show this help
`;
