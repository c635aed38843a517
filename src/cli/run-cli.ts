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
    default:
      process.stderr.write(`switchboard: unknown command "${command}"\n\n${usage}`);
      void rest;
      return 2;
  }
}

const usage = `Usage: switchboard <command> [options]

Commands:
  help        Show this help
`;
