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
    case "serve":
      return (await import("./serve-command.js")).runServeCommand(rest);
    case "setup":
      return (await import("./setup-command.js")).runSetupCommand(rest);
    case "conversations":
      return (await import("./conversations-command.js")).runConversationsCommand(rest);
    case "send":
      return (await import("./conversations-command.js")).runSendCommand(rest);
    case "migrate":
      return (await import("./migrate-command.js")).runMigrateCommand(rest);
    default:
      process.stderr.write(`switchboard: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

const usage = `Usage: switchboard <command> [options]

Commands:
  emulator    Run a local Twilio Conversations emulator
              [--port 4010] [--host 127.0.0.1] [--webhook-url URL] [--state PATH]
  dev         Everything offline: the emulator (EMULATOR_PORT, 4010), switchboard (PORT,
              3000) with the console, web chat and the FAQ agent. What \`npm start\` runs.
              [--fresh] forgets .switchboard/ (mailbox, emulator state) first
  serve       Run against Twilio [--port] [--host] [--database] [--config] [--public-url]
  setup       Point Twilio at switchboard [--url URL] [--sms N]… [--whatsapp N]…
              [--dry-run] [--take-over]
  conversations list | show <sid> | close <sid>
  send        <sid> <text>   Send a message as an operator
  migrate     Apply the PostgreSQL mailbox migrations [--database URL]
  help        Show this help
`;
