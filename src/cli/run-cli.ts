import { packageVersion } from "./package-version.js";

/** Dispatches `switchboard <command> [flags]`; returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "--help":
    case "-h":
      process.stdout.write(usage);
      return 0;
    case "help":
      // `switchboard help serve` is `switchboard serve --help`.
      if (rest[0] === undefined || rest[0] === "help") {
        process.stdout.write(usage);
        return 0;
      }
      if (commands.has(rest[0])) return runCli([rest[0], "--help"]);
      process.stderr.write(
        `switchboard help: unknown command "${rest[0]}"; the commands are ${[...commands].join(", ")}\n`,
      );
      return 2;
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`switchboard ${packageVersion()} (Node.js ${process.versions.node})\n`);
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

const commands = new Set(["emulator", "dev", "serve", "setup", "conversations", "send", "migrate"]);

const usage = `Usage: switchboard <command> [options]

Commands:
  emulator    Run a local Twilio Conversations emulator
              [--port 4010] [--host 127.0.0.1] [--webhook-url URL] [--state PATH]
  dev         Everything offline: the emulator (EMULATOR_PORT, 4010), switchboard (PORT,
              3000) with the console, web chat and the FAQ agent. What \`npm start\` runs.
              [--model PROVIDER:MODEL]
              [--fresh] forgets .switchboard/ (mailbox, emulator state) first
  serve       Run against Twilio [--port] [--host] [--database] [--config] [--public-url]
              [--model PROVIDER:MODEL]
  setup       Point Twilio at switchboard [--url URL] [--sms N]… [--whatsapp N]…
              [--dry-run] [--take-over]
  conversations list | show <sid> | close <sid>
  send        <sid> <text>   Send a message as an operator
  migrate     Apply the PostgreSQL mailbox migrations [--database URL]
  help        Show this help; \`switchboard <command> --help\` explains one command
  --version   Print the version (also -v)

SWITCHBOARD_MODEL (or --model) answers with a language model instead of the offline FAQ
agent: openai:gpt-4o-mini, anthropic:<model>, openai-compatible:<base URL>#<model>.
`;
