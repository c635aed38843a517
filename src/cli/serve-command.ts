import { join } from "node:path";
import { type ConfigFlags, resolveConfig } from "../config/resolve-config.js";
import { isLoopbackHost } from "../console/console-auth.js";
import { EmulatorRequestClient } from "../emulator/http/emulator-request-client.js";
import { ConfigError, SwitchboardError } from "../errors.js";
import { createLogger, type Logger } from "../log/create-logger.js";
import { logFormatFor } from "../log/log-format.js";
import { startService } from "../service/start-service.js";
import { configFromEnv } from "../twilio/config.js";
import { checkMetricsToken } from "./check-metrics-token.js";
import { CliUsageError } from "./cli-usage-error.js";
import { listenErrorHint } from "./listen-error-hint.js";
import { type FlagKind, parseFlags } from "./parse-flags.js";
import { resolveServiceConfig } from "./resolve-service-config.js";
import type { CommandIo } from "./run-emulator-until-signal.js";
import { waitForSignalThen } from "./run-service-until-signal.js";

export const serveUsage = `Usage: switchboard serve [--port N] [--host H] [--database URL] [--config FILE]
                        [--public-url URL] [--twilio-emulator URL [--force-emulator-url]]
                        [--trust-proxy HOPS|CIDRS] [--model PROVIDER:MODEL]
Runs switchboard against Twilio: credentials from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
(or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET) and TWILIO_CONVERSATIONS_SERVICE_SID;
settings from switchboard.config.ts (or --config), the environment and flags.
--port (or PORT, default 3000) and --host (or HOST, default 0.0.0.0): where to listen.
--public-url (or SWITCHBOARD_PUBLIC_URL): the https URL Twilio calls; signatures cover it.
--database (or DATABASE_URL): a SQLite path (default .switchboard/mailbox.db) or postgres://…
--twilio-emulator (or SWITCHBOARD_TWILIO_EMULATOR_URL): send every Twilio request to a
running switchboard emulator instead (for tests and demos); only a loopback URL unless
--force-emulator-url, since your real credentials would go there.
--trust-proxy (or SWITCHBOARD_TRUST_PROXY): believe X-Forwarded-For from this many proxies
in front (1), or from these addresses (10.0.0.0/8,127.0.0.1). Default: none.
The console always asks for a token: SWITCHBOARD_CONSOLE_TOKEN, else one generated on first
start, kept beside the mailbox and shown once on stderr. SWITCHBOARD_METRICS_TOKEN (22+
characters) makes /metrics ask for its own bearer token.
SWITCHBOARD_CATCH_UP_RPS: catch-up's REST budget, requests per second (1-1000, default 5).
LOG_LEVEL (trace, debug, info, warn, error, fatal, silent) and LOG_FORMAT (json, pretty).
--model (or SWITCHBOARD_MODEL): answer with a language model grounded in the knowledge
file: openai:gpt-4o-mini (OPENAI_API_KEY), anthropic:<model> (ANTHROPIC_API_KEY), or
openai-compatible:http://127.0.0.1:11434/v1#llama3 for a local server.
`;

/** The flags `serve` accepts; each is explained in {@link serveUsage}. */
export const serveFlags = {
  port: "value",
  host: "value",
  database: "value",
  config: "value",
  "public-url": "value",
  "twilio-emulator": "value",
  "force-emulator-url": "switch",
  "trust-proxy": "value",
  model: "value",
} as const satisfies Record<string, FlagKind>;

/** Environment variable naming a running emulator that `serve` sends Twilio requests to. */
export const twilioEmulatorVariable = "SWITCHBOARD_TWILIO_EMULATOR_URL";

/** `switchboard serve`: 2 on bad flags, 1 on a configuration or start failure, 0 after a clean stop. */
export async function runServeCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(serveUsage);
    return 0;
  }
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv, serveFlags);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`switchboard serve: ${error.message}\n\n${serveUsage}`);
    return 2;
  }
  const configFlags = {
    ...optional("port", flags.values.get("port")),
    ...optional("host", flags.values.get("host")),
    ...optional("database", flags.values.get("database")),
    ...optional("publicUrl", flags.values.get("public-url")),
    ...optional("trustProxy", flags.values.get("trust-proxy")),
  };
  try {
    checkFlagValues(configFlags, cwd);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`switchboard serve: ${error.message}\n\n${serveUsage}`);
    return 2;
  }
  const emulatorUrl = flags.values.get("twilio-emulator") ?? environment[twilioEmulatorVariable];
  if (emulatorUrl !== undefined && !/^https?:\/\/\S+$/.test(emulatorUrl)) {
    const source = flags.values.has("twilio-emulator")
      ? "--twilio-emulator"
      : twilioEmulatorVariable;
    io.stderr.write(
      `switchboard serve: ${source} must be an http(s) URL, not "${emulatorUrl}"\n\n${serveUsage}`,
    );
    return 2;
  }
  if (
    emulatorUrl !== undefined &&
    !isLoopbackUrl(emulatorUrl) &&
    !flags.switches.has("force-emulator-url")
  ) {
    const source = flags.values.has("twilio-emulator")
      ? "--twilio-emulator"
      : twilioEmulatorVariable;
    io.stderr.write(
      `switchboard serve: ${source} must point at this machine (127.0.0.1, ::1, localhost): your Twilio credentials are sent there. Add --force-emulator-url if you really mean another host.\n\n${serveUsage}`,
    );
    return 2;
  }
  let logger: Logger;
  try {
    logger = createLogger({
      env: environment,
      base: { service: "switchboard" },
      ...logFormatFor(environment, process.stdout),
    });
  } catch (error) {
    // LOG_LEVEL or LOG_FORMAT: a bad environment, like any other (exit 1).
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`switchboard serve: ${error.message}\n`);
    return 1;
  }
  let service: Awaited<ReturnType<typeof startService>>;
  let webhookPath = "/twilio/webhook";
  let listening: { port: number; host: string } | undefined;
  try {
    const { config, agent, model } = await resolveServiceConfig({
      cwd,
      env: environment,
      configPath: flags.values.get("config"),
      flags: configFlags,
      model: flags.values.get("model"),
    });
    checkMetricsToken(config.metricsToken);
    const twilioOptions = configFromEnv(environment);
    if (model !== undefined) io.stderr.write(`Agent: ${model}, grounded in the knowledge file\n`);
    webhookPath = config.webhookPath;
    listening = { port: config.port, host: config.host };
    const databaseNote =
      config.database.kind === "sqlite" ? config.database.path : "PostgreSQL (DATABASE_URL)";
    io.stderr.write(`Opening the mailbox (${databaseNote}) and checking Twilio…\n`);
    service = await startService({
      mode: "serve",
      port: config.port,
      host: config.host,
      stateDirectory: join(cwd, ".switchboard"),
      database: config.database,
      agent,
      twilio: {
        accountSid: twilioOptions.accountSid,
        authToken: twilioOptions.authToken,
        apiKeySid: twilioOptions.apiKeySid,
        apiKeySecret: twilioOptions.apiKeySecret,
        serviceSid: twilioOptions.conversationsServiceSid,
        webhookUrl: config.webhookUrl ?? twilioOptions.webhookUrl,
        ...(emulatorUrl === undefined
          ? {}
          : { httpClient: new EmulatorRequestClient(emulatorUrl, { timeout: 30_000 }) }),
      },
      webhookPath: config.webhookPath,
      consoleToken: config.consoleToken,
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
      catchUpRequestsPerSecond: config.catchUpRequestsPerSecond,
      consoleInfo: { channels: ["sms", "whatsapp", "chat"], numbers: {} },
      workers: config.workers,
      channels: config.channels,
      webchat: config.webchat,
      policy: config.policy,
      botIdentities: config.botIdentities,
      handoffKeywords: config.handoffKeywords,
      handoffs: config.handoffs,
      logger,
    });
  } catch (error) {
    const hint =
      listening === undefined
        ? undefined
        : listenErrorHint(error, {
            ...listening,
            settings: { port: "PORT or --port", host: "HOST or --host" },
          });
    if (!(error instanceof SwitchboardError) && hint === undefined) throw error;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard serve: ${message}${hint === undefined ? "" : ` (${hint})`}\n`);
    return 1;
  }
  io.stdout.write(serveBanner(service, webhookPath));
  if (service.consoleTokenGenerated) {
    // Once, on stderr: stdout carries the JSON logs, which often go to a log store.
    io.stderr.write(
      `Console token  ${service.consoleToken}\n  (generated now and kept in ${service.consoleTokenStoredIn}; shown only this once — set SWITCHBOARD_CONSOLE_TOKEN to choose one)\n`,
    );
  }
  return waitForSignalThen(io, "switchboard", () => service.close());
}

/**
 * Bad flag values are usage errors (exit 2), unlike a bad environment or config file (1):
 * the flags are checked alone, with the same rules the merged configuration uses.
 */
function checkFlagValues(configFlags: ConfigFlags, cwd: string): void {
  try {
    resolveConfig({ env: {}, flags: configFlags, cwd });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}

function optional<Name extends string>(name: Name, value: string | undefined) {
  return (value === undefined ? {} : { [name]: value }) as Partial<Record<Name, string>>;
}

function serveBanner(
  service: Awaited<ReturnType<typeof startService>>,
  webhookPath: string,
): string {
  return [
    "switchboard is serving",
    `  URL        ${service.url}`,
    `  Webhook    ${service.url}${webhookPath} (point Twilio at your public URL: switchboard setup)`,
    `  Console    ${service.url}/`,
    ...(service.consoleTokenStoredIn === undefined
      ? []
      : [`  Console token kept in ${service.consoleTokenStoredIn}`]),
    `  Web chat   <script src="${service.url}/webchat.js"></script>`,
    `  Health     ${service.url}/healthz  ${service.url}/readyz  ${service.url}/metrics`,
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}

/** Whether a URL names this machine: an emulator elsewhere would receive real credentials. */
function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
