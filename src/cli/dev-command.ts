import { createServer } from "node:net";
import { join } from "node:path";
import { startEmulator } from "../emulator/start-emulator.js";
import { ConfigError, SwitchboardError } from "../errors.js";
import { createLogger, type Logger } from "../log/create-logger.js";
import { logFormatFor, logFormatVariable } from "../log/log-format.js";
import { startService } from "../service/start-service.js";
import { twilioEnvironmentVariables } from "../twilio/config.js";
import { CliUsageError } from "./cli-usage-error.js";
import {
  DevSessionError,
  describeDevEmulatorFailure,
  devEmulatorBannerLines,
  openDevSession,
} from "./dev-session.js";
import { listenErrorHint } from "./listen-error-hint.js";
import { defaultEmulatorPort, parsePort } from "./parse-emulator-flags.js";
import { type FlagKind, parseFlags } from "./parse-flags.js";
import { resolveServiceConfig } from "./resolve-service-config.js";
import type { CommandIo } from "./run-emulator-until-signal.js";
import { waitForSignalThen } from "./run-service-until-signal.js";
import { runServeCommand, twilioEmulatorVariable } from "./serve-command.js";

export const devUsage = `Usage: switchboard dev [--model PROVIDER:MODEL] [--fresh]
Runs everything on this machine with no Twilio account: a local Twilio emulator
(EMULATOR_PORT, default 4010), switchboard (PORT, default 3000) with the console and web
chat, a SQLite mailbox in .switchboard/, and the offline FAQ agent over the sample
knowledge (or the agent of switchboard.config.*). What \`npm start\` runs.
--model (or SWITCHBOARD_MODEL): answer with a language model grounded in the knowledge
file: openai:gpt-4o-mini (OPENAI_API_KEY), anthropic:<model> (ANTHROPIC_API_KEY), or
openai-compatible:http://127.0.0.1:11434/v1#llama3 for a local server.
--fresh: forget .switchboard/ first (mailbox, emulator state, web chat key), as
\`rm -rf .switchboard\` would; otherwise a restart continues where the last run stopped.
With TWILIO_ACCOUNT_SID set it runs \`switchboard serve\` against that Twilio account
instead, and says so; unset TWILIO_ACCOUNT_SID for the emulator.
`;

/** The flags `dev` accepts; each is explained in {@link devUsage}. */
export const devFlags = { model: "value", fresh: "switch" } as const satisfies Record<
  string,
  FlagKind
>;

/** Development mode binds loopback only: nothing outside this machine reaches it. */
const devHost = "127.0.0.1";

/**
 * `switchboard dev` (what `npm start` runs). Without Twilio credentials in the environment:
 * the emulator on `EMULATOR_PORT` (default 4010), switchboard on `PORT` (default 3000) as
 * the emulator's webhook, the SQLite mailbox in `.switchboard/`, and the agent of
 * `switchboard.config.*` (default: the offline FAQ agent over the sample knowledge). The
 * emulator keeps its state in `.switchboard/emulator.db`, so a restart continues where the
 * last run stopped; `--fresh` removes `.switchboard/` first. With `TWILIO_ACCOUNT_SID` set
 * it runs `serve`, and says so first: `npm start` is also what hosting platforms run, so a
 * deployment relies on the switch, while a developer with TWILIO_* exported must not
 * reach a real account unknowingly.
 */
export async function runDevCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(devUsage);
    return 0;
  }
  if (environment[twilioEnvironmentVariables.accountSid]?.trim()) {
    io.stderr.write(realTwilioNotice(environment));
    return runServeCommand(argv, io, environment, cwd);
  }
  let emulatorPort: number;
  let port: number;
  let model: string | undefined;
  try {
    model = parseFlags(argv, devFlags).values.get("model");
    emulatorPort = parsePort(
      environment.EMULATOR_PORT ?? String(defaultEmulatorPort),
      "EMULATOR_PORT",
    );
    port = parsePort(environment.PORT ?? "3000", "PORT");
    const delay = environment.SWITCHBOARD_AGENT_DELAY_MS;
    if (delay !== undefined && !/^\d{1,5}$/.test(delay))
      throw new CliUsageError(`SWITCHBOARD_AGENT_DELAY_MS must be milliseconds, not "${delay}"`);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`switchboard dev: ${error.message}\n\n${devUsage}`);
    return 2;
  }
  let logger: Logger;
  try {
    // logFormatFor checks LOG_FORMAT; dev writes readable lines unless it says json.
    const { colour } = logFormatFor(environment, process.stderr);
    logger = createLogger({
      env: environment,
      pretty: environment[logFormatVariable]?.trim().toLowerCase() !== "json",
      colour,
      destination: process.stderr,
    });
  } catch (error) {
    // LOG_LEVEL or LOG_FORMAT: a bad environment, like any other (exit 1).
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`switchboard dev: ${error.message}\n`);
    return 1;
  }
  let session: Awaited<ReturnType<typeof openDevSession>>;
  try {
    session = await openDevSession(cwd, {
      fresh: argv.includes("--fresh"),
      warn: (line) => io.stderr.write(line),
    });
  } catch (error) {
    if (!(error instanceof DevSessionError)) throw error;
    io.stderr.write(`switchboard dev: ${error.message}\n`);
    return 1;
  }
  if (session.notice !== undefined) io.stderr.write(session.notice);
  // The emulator needs switchboard's URL before switchboard exists: fix the port first.
  if (port === 0) port = await freePort();
  const webhookUrl = `http://${devHost}:${port}/twilio/webhook`;
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port: emulatorPort,
      host: devHost,
      webhookUrl,
      statePath: session.emulatorStatePath,
    });
  } catch (error) {
    const stateProblem = describeDevEmulatorFailure(error);
    if (stateProblem !== undefined) {
      io.stderr.write(`switchboard dev: ${stateProblem}\n`);
      return 1;
    }
    io.stderr.write(
      `switchboard dev: could not start the emulator on port ${emulatorPort}: ${describe(error)} (set EMULATOR_PORT)\n`,
    );
    return 1;
  }
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    const { config, agent, configPath } = await resolveServiceConfig({
      cwd,
      env: { ...environment, HOST: devHost, PORT: String(port) },
      flags: {},
      model,
    });
    if (configPath !== undefined) io.stderr.write(`Using ${configPath}\n`);
    service = await startService({
      mode: "dev",
      port,
      host: devHost,
      stateDirectory: join(cwd, ".switchboard"),
      database: config.database,
      agent,
      twilio: {
        accountSid: emulator.accountSid,
        authToken: emulator.authToken,
        serviceSid: emulator.serviceSid,
        httpClient: emulator.httpClient(),
      },
      webhookPath: config.webhookPath,
      consoleToken: config.consoleToken,
      consoleInfo: {
        inspectorUrl: emulator.inspectorUrl,
        channels: ["sms", "whatsapp", "chat"],
        numbers: { sms: emulator.numbers.sms, whatsapp: emulator.numbers.whatsapp },
      },
      sendAsCustomer: async ({ channel, from, text, conversationSid }) =>
        emulator
          .customer({ channel, address: from })
          .send(text, conversationSid === undefined ? {} : { conversationSid }),
      workers: config.workers,
      channels: config.channels,
      // Dev texts codes from the emulator's numbers unless the file says otherwise.
      webchat: {
        smsNumber: emulator.numbers.sms,
        whatsappNumber: emulator.numbers.whatsapp.replace(/^whatsapp:/, ""),
        ...config.webchat,
      },
      policy: config.policy,
      botIdentities: config.botIdentities,
      handoffKeywords: config.handoffKeywords,
      handoffs: config.handoffs,
      agentDelayMs: Number(environment.SWITCHBOARD_AGENT_DELAY_MS ?? 0),
      logger,
    });
  } catch (error) {
    await emulator.close();
    const hint = listenErrorHint(error, {
      port,
      host: devHost,
      settings: { port: "PORT" },
    });
    if (!(error instanceof SwitchboardError) && hint === undefined) throw error;
    io.stderr.write(
      `switchboard dev: ${describe(error)}${hint === undefined ? "" : ` (${hint})`}\n`,
    );
    return 1;
  }
  session.announce({ url: service.url, emulator });
  io.stdout.write(
    [
      "",
      "switchboard dev is running (offline: a local Twilio emulator, no credentials needed)",
      `  Console    ${service.url}/   ← open this`,
      ...(service.consoleToken === undefined
        ? [
            "             (open without a token: dev listens on loopback only; serve always asks for one)",
          ]
        : []),
      `  Web chat   ${service.url}/webchat/demo   (or <script src="${service.url}/webchat.js"></script> on any page)`,
      ...devEmulatorBannerLines(emulator),
      "",
      `Try: curl -X POST ${emulator.url}/_emulator/inbound -H 'content-type: application/json' -d '{"channel":"sms","from":"+15551230001","body":"When are you open?"}'`,
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
  return waitForSignalThen(io, "switchboard and the emulator", async () => {
    await service.close();
    await emulator.close();
    session.release();
  });
}

/** One line before `serve` takes over: where requests go, and how to get the emulator. */
function realTwilioNotice(environment: NodeJS.ProcessEnv): string {
  const emulatorUrl = environment[twilioEmulatorVariable]?.trim();
  const target = emulatorUrl
    ? `the Twilio API at ${emulatorUrl} (${twilioEmulatorVariable})`
    : "your real Twilio account";
  return `switchboard dev: TWILIO_ACCOUNT_SID is set, so this runs \`switchboard serve\` against ${target}, not the local emulator; for the emulator, unset TWILIO_ACCOUNT_SID (\`env -u TWILIO_ACCOUNT_SID npm start\`).\n`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, devHost, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
