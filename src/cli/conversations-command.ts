import { maskPersonalAddress } from "../log/mask-phone-numbers.js";
import { operatorAuthor } from "../service/operator-author.js";
import { CliUsageError } from "./cli-usage-error.js";
import { operatorTwilio } from "./operator-twilio.js";
import { parseFlags } from "./parse-flags.js";
import type { CommandIo } from "./run-emulator-until-signal.js";

export const conversationsUsage = `Usage: switchboard conversations list [--state active|inactive|closed] [--limit N]
       switchboard conversations show <CH…>
       switchboard conversations close <CH…>
       switchboard send <CH…> <text>
Operator commands against the Twilio service in the environment (TWILIO_ACCOUNT_SID,
TWILIO_AUTH_TOKEN, TWILIO_CONVERSATIONS_SERVICE_SID), or a running emulator
(SWITCHBOARD_TWILIO_EMULATOR_URL or --twilio-emulator URL). Without TWILIO_ACCOUNT_SID,
they use the emulator of the \`switchboard dev\` running in this folder. Customer phone
numbers and email addresses are masked; operator and bot names are shown as they are.
`;

export const sendUsage = `Usage: switchboard send <CH…> <text> [--from IDENTITY] [--twilio-emulator URL]
Sends one message into a conversation as the operator (Author "operator", or --from), with
the Twilio credentials of the environment (see switchboard conversations --help).
`;

const sidPattern = /^CH[0-9a-fA-F]{32}$/;

/** `switchboard conversations list|show|close`. */
export async function runConversationsCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  return operatorCommand("conversations", io, async () => {
    const [action, ...rest] = argv;
    if (action === undefined || argv.includes("--help") || argv.includes("-h")) {
      io.stdout.write(conversationsUsage);
      return action === undefined ? 2 : 0;
    }
    if (!["list", "show", "close"].includes(action))
      throw new CliUsageError(`unknown action "${action}" (list, show or close)`);
    const flags = parseFlags(
      rest,
      action === "list"
        ? { state: "value", limit: "value", "twilio-emulator": "value" }
        : { "twilio-emulator": "value" },
      action === "list" ? 0 : 1,
    );
    // Every flag and argument is checked before the credentials, so a typo is reported
    // as a typo even in a shell without TWILIO_* variables.
    const state = flags.values.get("state");
    if (state !== undefined && !["active", "inactive", "closed"].includes(state))
      throw new CliUsageError(`--state must be active, inactive or closed, not "${state}"`);
    const limitText = flags.values.get("limit") ?? "50";
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || !Number.isInteger(limit) || limit < 1)
      throw new CliUsageError(`--limit must be a positive integer, not "${limitText}"`);
    const sid = action === "list" ? "" : sidArgument(flags.positional[0]);
    const { provider } = await operatorTwilio(
      environment,
      flags.values.get("twilio-emulator"),
      cwd,
    );
    try {
      if (action === "list") {
        io.stderr.write("Listing conversations…\n");
        let shown = 0;
        for await (const conversation of provider.listConversations({
          ...(state === undefined ? {} : { state: state as "active" }),
          pageSize: Math.min(limit, 100),
        })) {
          io.stdout.write(
            `${conversation.id}  ${conversation.state.padEnd(8)}  ${conversation.createdAt.toISOString()}  ${conversation.friendlyName ?? ""}\n`,
          );
          shown += 1;
          if (shown >= limit) break;
        }
        if (shown === 0) io.stderr.write("No conversations.\n");
        return 0;
      }
      if (action === "show") {
        const conversation = await provider.getConversation(sid);
        io.stdout.write(
          `${conversation.id}  ${conversation.state}  created ${conversation.createdAt.toISOString()}\n`,
        );
        for await (const message of provider.listMessages(sid, { order: "asc" }))
          io.stdout.write(
            `#${message.index}  ${message.createdAt.toISOString()}  ${maskPersonalAddress(message.from)}: ${message.content ?? `[${message.media.length} attachment(s)]`}\n`,
          );
        return 0;
      }
      if (action === "close") {
        const closed = await provider.closeConversation(sid);
        io.stdout.write(`closed ${closed.id}\n`);
        return 0;
      }
      throw new CliUsageError(`unknown action "${action}" (list, show or close)`);
    } finally {
      await provider.stop();
    }
  });
}

/** `switchboard send <sid> <text>`: one message as the operator. */
export async function runSendCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  return operatorCommand("send", io, async () => {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout.write(sendUsage);
      return 0;
    }
    const flags = parseFlags(argv, { "twilio-emulator": "value", from: "value" }, 2);
    const sid = sidArgument(flags.positional[0]);
    const text = flags.positional[1];
    if (text === undefined || text.trim() === "") throw new CliUsageError("give the text to send");
    const { provider } = await operatorTwilio(
      environment,
      flags.values.get("twilio-emulator"),
      cwd,
    );
    try {
      const sent = await provider.sendMessage(sid, {
        content: text,
        from: flags.values.get("from") ?? operatorAuthor,
      });
      io.stdout.write(`sent ${sent.id} (#${sent.index})\n`);
      return 0;
    } finally {
      await provider.stop();
    }
  });
}

function sidArgument(value: string | undefined): string {
  if (value === undefined) throw new CliUsageError("give the conversation SID (CH…)");
  if (!sidPattern.test(value))
    throw new CliUsageError(`"${value}" is not a conversation SID (CH followed by 32 hex digits)`);
  return value;
}

async function operatorCommand(
  name: string,
  io: CommandIo,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CliUsageError) {
      const usage = name === "send" ? sendUsage : conversationsUsage;
      io.stderr.write(`switchboard ${name}: ${error.message}\n\n${usage}`);
      return 2;
    }
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard ${name}: ${reason}\n`);
    return 1;
  }
}
