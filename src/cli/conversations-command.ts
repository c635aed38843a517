import { maskAddress } from "../log/mask-phone-numbers.js";
import { operatorAuthor } from "../service/operator-author.js";
import { CliUsageError } from "./cli-usage-error.js";
import { parseFlags } from "./parse-flags.js";
import type { CommandIo } from "./run-emulator-until-signal.js";
import { twilioFromEnv } from "./twilio-from-env.js";

export const conversationsUsage = `Usage: switchboard conversations list [--state active|inactive|closed] [--limit N]
       switchboard conversations show <CH…>
       switchboard conversations close <CH…>
       switchboard send <CH…> <text>
Operator commands against the Twilio service in the environment (TWILIO_ACCOUNT_SID,
TWILIO_AUTH_TOKEN, TWILIO_CONVERSATIONS_SERVICE_SID), or a running emulator
(SWITCHBOARD_TWILIO_EMULATOR_URL or --twilio-emulator URL). Customer numbers are masked.
`;

const sidPattern = /^CH[0-9a-fA-F]{32}$/;

/** `switchboard conversations list|show|close`. */
export async function runConversationsCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return operatorCommand("conversations", io, async () => {
    const [action, ...rest] = argv;
    if (action === undefined || action === "--help" || action === "-h") {
      io.stdout.write(conversationsUsage);
      return action === undefined ? 2 : 0;
    }
    const flags = parseFlags(
      rest,
      { state: "value", limit: "value", "twilio-emulator": "value" },
      action === "list" ? 0 : 1,
    );
    const { provider } = twilioFromEnv(environment, flags.values.get("twilio-emulator"));
    try {
      if (action === "list") {
        const state = flags.values.get("state");
        if (state !== undefined && !["active", "inactive", "closed"].includes(state))
          throw new CliUsageError(`--state must be active, inactive or closed, not "${state}"`);
        const limit = Number(flags.values.get("limit") ?? "50");
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliUsageError("--limit must be a positive integer");
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
      const sid = sidArgument(flags.positional[0]);
      if (action === "show") {
        const conversation = await provider.getConversation(sid);
        io.stdout.write(
          `${conversation.id}  ${conversation.state}  created ${conversation.createdAt.toISOString()}\n`,
        );
        for await (const message of provider.listMessages(sid, { order: "asc" }))
          io.stdout.write(
            `#${message.index}  ${message.createdAt.toISOString()}  ${maskAddress(message.from)}: ${message.content ?? `[${message.media.length} attachment(s)]`}\n`,
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
): Promise<number> {
  return operatorCommand("send", io, async () => {
    const flags = parseFlags(argv, { "twilio-emulator": "value", from: "value" }, 2);
    const sid = sidArgument(flags.positional[0]);
    const text = flags.positional[1];
    if (text === undefined || text.trim() === "") throw new CliUsageError("give the text to send");
    const { provider } = twilioFromEnv(environment, flags.values.get("twilio-emulator"));
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
      io.stderr.write(`switchboard ${name}: ${error.message}\n\n${conversationsUsage}`);
      return 2;
    }
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard ${name}: ${reason}\n`);
    return 1;
  }
}
