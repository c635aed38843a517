// Over 400 lines on purpose: every setting's option → environment → default order is read here, in
// one place, so the precedence is the same for all of them.
import { dirname, isAbsolute, resolve } from "node:path";
import type { Agent } from "../agents/types.js";
import { ConfigError } from "../errors.js";
import type { TurnPolicy } from "../mailbox/mailbox-store.js";
import type { LoadedConfigFile } from "./load-config-file.js";
import { type DatabaseLocation, parseDatabaseUrl } from "./parse-database-url.js";
import { parseTrustProxy, type TrustProxySetting } from "./parse-trust-proxy.js";
import type {
  ChannelsConfig,
  SwitchboardConfig,
  WebchatCustomerConfig,
  WorkersConfig,
} from "./switchboard-config.js";

/** Settings given on the command line; strings as typed, parsed here. */
export interface ConfigFlags {
  port?: number | string;
  host?: string;
  database?: string;
  publicUrl?: string;
  webhookPath?: string;
  knowledge?: string;
  /** `--trust-proxy`: a hop count or a comma-separated list of addresses and CIDR ranges. */
  trustProxy?: string;
}

/** Where a resolved setting came from, for `serve` to print and for operators to debug. */
export type SettingSource = "flag" | "env" | "file" | "default";

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** The loaded config file, if any; its relative paths are resolved against its folder. */
  file?: LoadedConfigFile | undefined;
  /**
   * Default `process.env`. Reads `PORT`, `HOST`, `DATABASE_URL`, `DATABASE_POOL_SIZE`,
   * `SWITCHBOARD_DATABASE_MIGRATE`, `SWITCHBOARD_PUBLIC_URL`, `SWITCHBOARD_CONSOLE_TOKEN`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
  /** Relative flag and environment paths are resolved against it. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * The service's settings after merging flag > env > file > default. Twilio credentials are
 * not part of it: the CLI reads them with `configFromEnv` from the Twilio boundary, so this
 * leaf module knows nothing of Twilio.
 */
export interface ResolvedConfig {
  agent: Agent | "faq";
  /** Absolute path, or `undefined` for the FAQ agent's shipped sample. */
  knowledge: string | undefined;
  channels: ChannelsConfig;
  /** The widget's customer features (`webchat` in the file). */
  webchat: WebchatCustomerConfig | undefined;
  port: number;
  host: string;
  database: DatabaseLocation;
  webhookPath: string;
  /** Base URL without a trailing slash, or `undefined` when not configured. */
  publicUrl: string | undefined;
  /** `publicUrl + webhookPath`: what Twilio is pointed at and signatures cover. */
  webhookUrl: string | undefined;
  workers: WorkersConfig;
  policy: TurnPolicy | undefined;
  botIdentities: readonly string[] | undefined;
  handoffKeywords: readonly string[] | undefined;
  /** `businessHours`, `afterHoursMessage`, `handBack`, `slowTurn`, `customers` as the file gave them. */
  handoffs: HandoffSettings;
  consoleToken: string | undefined;
  /** Which proxies are believed about the real client (`undefined`: none). */
  trustProxy: TrustProxySetting | undefined;
  /** `SWITCHBOARD_METRICS_TOKEN`: when set, `/metrics` asks for it as a bearer token. */
  metricsToken: string | undefined;
  /**
   * `SWITCHBOARD_CATCH_UP_RPS`: catch-up's REST budget (requests per second, 1–1000), or
   * `undefined` for the runtime's default (`catchUp.requestsPerSecond`).
   */
  catchUpRequestsPerSecond: number | undefined;
  /** Where each flag/env-capable setting came from. */
  sources: Record<
    "port" | "host" | "database" | "publicUrl" | "webhookPath" | "knowledge" | "consoleToken",
    SettingSource
  >;
}

/** Defaults: port 3000 on all interfaces, SQLite in `.switchboard/`. */
export const configDefaults = {
  port: 3000,
  host: "0.0.0.0",
  database: ".switchboard/mailbox.db",
  webhookPath: "/twilio/webhook",
} as const;

/** The environment variables {@link resolveConfig} reads. */
export const configEnvironmentVariables = {
  port: "PORT",
  host: "HOST",
  database: "DATABASE_URL",
  databasePoolSize: "DATABASE_POOL_SIZE",
  databaseMigrate: "SWITCHBOARD_DATABASE_MIGRATE",
  publicUrl: "SWITCHBOARD_PUBLIC_URL",
  consoleToken: "SWITCHBOARD_CONSOLE_TOKEN",
  trustProxy: "SWITCHBOARD_TRUST_PROXY",
  metricsToken: "SWITCHBOARD_METRICS_TOKEN",
  catchUpRequestsPerSecond: "SWITCHBOARD_CATCH_UP_RPS",
} as const;

/**
 * Merges the config file, the environment and command-line flags (flag > env > file >
 * default) and checks the merged values. Errors are `ConfigError`s naming the setting and
 * where the bad value came from (`--port`, `PORT`, or the file).
 */
export function resolveConfig(options: ResolveConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const cwd = options.cwd ?? process.cwd();
  const file = options.file?.config ?? {};
  const fileDirectory = options.file === undefined ? cwd : dirname(options.file.path);
  const fileName = options.file?.path ?? "config file";
  const fromEnv = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };

  type Picked<T> = { value: T; source: SettingSource; label: string };
  function pick<T>(
    flag: T | undefined,
    flagName: string,
    environment: T | undefined,
    variable: string,
    fromFile: T | undefined,
    key: string,
    fallback: T,
  ): Picked<T> {
    if (flag !== undefined) return { value: flag, source: "flag", label: `--${flagName}` };
    if (environment !== undefined) return { value: environment, source: "env", label: variable };
    if (fromFile !== undefined)
      return { value: fromFile, source: "file", label: `${key} in ${fileName}` };
    return { value: fallback, source: "default", label: `default ${key}` };
  }

  const portSetting = pick<number | string>(
    flags.port,
    "port",
    fromEnv(configEnvironmentVariables.port),
    configEnvironmentVariables.port,
    file.port,
    "port",
    configDefaults.port,
  );
  const port = parsePort(portSetting.value, portSetting.label);

  const hostSetting = pick(
    flags.host,
    "host",
    fromEnv("HOST"),
    "HOST",
    file.host,
    "host",
    configDefaults.host,
  );
  if (!/^[\w.:[\]-]+$/.test(hostSetting.value)) {
    throw new ConfigError(
      "host",
      `${hostSetting.label} is not a host name or IP address: "${hostSetting.value}".`,
    );
  }

  const fileDatabase =
    typeof file.database === "object"
      ? file.database
      : { url: file.database, poolSize: undefined, migrate: undefined };
  const databaseSetting = pick(
    flags.database,
    "database",
    fromEnv("DATABASE_URL"),
    "DATABASE_URL",
    fileDatabase.url,
    typeof file.database === "object" ? "database.url" : "database",
    configDefaults.database,
  );
  const location = parseDatabaseUrl(databaseSetting.value, {
    source: databaseSetting.label,
    baseDirectory: databaseSetting.source === "file" ? fileDirectory : cwd,
  });
  const poolSizeSetting = pick<number | string | undefined>(
    undefined,
    "",
    fromEnv(configEnvironmentVariables.databasePoolSize),
    configEnvironmentVariables.databasePoolSize,
    fileDatabase.poolSize,
    "database.poolSize",
    undefined,
  );
  const migrateSetting = pick<boolean | string | undefined>(
    undefined,
    "",
    fromEnv(configEnvironmentVariables.databaseMigrate),
    configEnvironmentVariables.databaseMigrate,
    fileDatabase.migrate,
    "database.migrate",
    undefined,
  );
  const database = withPostgresSettings(
    location,
    databaseSetting.label,
    poolSizeSetting.value === undefined
      ? undefined
      : {
          value: parsePoolSize(poolSizeSetting.value, poolSizeSetting.label),
          label: poolSizeSetting.label,
        },
    migrateSetting.value === undefined
      ? undefined
      : {
          value: parseMigrate(migrateSetting.value, migrateSetting.label),
          label: migrateSetting.label,
        },
  );

  const webhookPathSetting = pick(
    flags.webhookPath,
    "webhook-path",
    undefined,
    "",
    file.webhookPath,
    "webhookPath",
    configDefaults.webhookPath,
  );
  if (!/^\/\S*$/.test(webhookPathSetting.value)) {
    throw new ConfigError(
      "webhookPath",
      `${webhookPathSetting.label} must be a path starting with "/".`,
    );
  }

  const publicUrlSetting = pick<string | undefined>(
    flags.publicUrl,
    "public-url",
    fromEnv("SWITCHBOARD_PUBLIC_URL"),
    "SWITCHBOARD_PUBLIC_URL",
    file.publicUrl,
    "publicUrl",
    undefined,
  );
  const publicUrl =
    publicUrlSetting.value === undefined
      ? undefined
      : parsePublicUrl(publicUrlSetting.value, publicUrlSetting.label);

  const knowledgeSetting = pick<string | undefined>(
    flags.knowledge,
    "knowledge",
    undefined,
    "",
    file.knowledge,
    "knowledge",
    undefined,
  );
  const knowledgeBase = knowledgeSetting.source === "file" ? fileDirectory : cwd;
  const knowledge =
    knowledgeSetting.value === undefined
      ? undefined
      : isAbsolute(knowledgeSetting.value)
        ? knowledgeSetting.value
        : resolve(knowledgeBase, knowledgeSetting.value);

  const consoleTokenSetting = pick<string | undefined>(
    undefined,
    "",
    fromEnv("SWITCHBOARD_CONSOLE_TOKEN"),
    "SWITCHBOARD_CONSOLE_TOKEN",
    file.console?.token,
    "console.token",
    undefined,
  );

  const trustProxySetting = pick<number | string | readonly string[] | undefined>(
    flags.trustProxy,
    "trust-proxy",
    fromEnv("SWITCHBOARD_TRUST_PROXY"),
    "SWITCHBOARD_TRUST_PROXY",
    file.trustProxy,
    "trustProxy",
    undefined,
  );
  const trustProxy = parseTrustProxy(trustProxySetting.value, trustProxySetting.label);

  return {
    agent: file.agent ?? "faq",
    knowledge,
    channels: file.channels ?? {},
    webchat: file.webchat,
    port,
    host: hostSetting.value,
    database,
    webhookPath: webhookPathSetting.value,
    publicUrl,
    webhookUrl: publicUrl === undefined ? undefined : `${publicUrl}${webhookPathSetting.value}`,
    workers: file.workers ?? {},
    policy: file.policy,
    botIdentities: file.botIdentities,
    handoffKeywords: file.handoffKeywords,
    handoffs: handoffSettingsOf(file),
    consoleToken: consoleTokenSetting.value,
    trustProxy,
    metricsToken: fromEnv("SWITCHBOARD_METRICS_TOKEN"),
    catchUpRequestsPerSecond: catchUpRps(
      fromEnv(configEnvironmentVariables.catchUpRequestsPerSecond),
    ),
    sources: {
      port: portSetting.source,
      host: hostSetting.source,
      database: databaseSetting.source,
      publicUrl: publicUrlSetting.source,
      webhookPath: webhookPathSetting.source,
      knowledge: knowledgeSetting.source,
      consoleToken: consoleTokenSetting.source,
    },
  };
}

/**
 * Adds the pool size and migrate choice to a PostgreSQL location. They mean nothing to SQLite,
 * so setting one there is refused rather than ignored: the operator meant another database.
 */
function withPostgresSettings(
  location: DatabaseLocation,
  locationLabel: string,
  poolSize: { value: number; label: string } | undefined,
  migrate: { value: boolean; label: string } | undefined,
): DatabaseLocation {
  if (location.kind === "sqlite") {
    const stray = poolSize ?? migrate;
    if (stray !== undefined)
      throw new ConfigError(
        stray === poolSize ? "databasePoolSize" : "databaseMigrate",
        `${stray.label} applies to a PostgreSQL mailbox, but ${locationLabel} names a SQLite file (${location.path}); unset it or point the database at postgres://….`,
      );
    return location;
  }
  return {
    ...location,
    ...(poolSize === undefined ? {} : { poolSize: poolSize.value }),
    ...(migrate === undefined ? {} : { migrate: migrate.value }),
  };
}

function parsePoolSize(value: number | string, label: string): number {
  const size =
    typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(size) || size < 1 || size > 1_000) {
    throw new ConfigError(
      "databasePoolSize",
      `${label} must be a whole number of connections from 1 to 1000, got "${String(value).slice(0, 40)}".`,
    );
  }
  return size;
}

function parseMigrate(value: boolean | string, label: string): boolean {
  if (typeof value === "boolean") return value;
  const word = value.trim().toLowerCase();
  if (word === "true" || word === "1") return true;
  if (word === "false" || word === "0") return false;
  throw new ConfigError(
    "databaseMigrate",
    `${label} must be "true" (apply migrations on start, the default) or "false" (run \`switchboard migrate\` separately), got "${value.slice(0, 40)}".`,
  );
}

function parsePort(value: number | string, label: string): number {
  const port =
    typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(
      "port",
      `${label} must be a port number 0–65535, got "${String(value).slice(0, 40)}".`,
    );
  }
  return port;
}

function parsePublicUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(
      "publicUrl",
      `${label} is not an absolute URL: "${value.slice(0, 200)}"; write the https address Twilio reaches this service at, e.g. https://bot.example.com.`,
      { cause },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("publicUrl", `${label} must use http or https, got "${url.protocol}".`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigError("publicUrl", `${label} must be a base URL without query or fragment.`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * The handoff, slow-turn and customer settings of the file, as `createSwitchboard` options
 * (passed through as they are; `createSwitchboard` checks them and names the option).
 */
export type HandoffSettings = Pick<
  SwitchboardConfig,
  "businessHours" | "afterHoursMessage" | "handBack" | "slowTurn" | "customers"
>;

function handoffSettingsOf(file: SwitchboardConfig): HandoffSettings {
  const settings: HandoffSettings = {};
  if (file.businessHours !== undefined) settings.businessHours = file.businessHours;
  if (file.afterHoursMessage !== undefined) settings.afterHoursMessage = file.afterHoursMessage;
  if (file.handBack !== undefined) settings.handBack = file.handBack;
  if (file.customers !== undefined) settings.customers = file.customers;
  if (file.slowTurn !== undefined) settings.slowTurn = file.slowTurn;
  return settings;
}

/** `SWITCHBOARD_CATCH_UP_RPS`: a whole number from 1 to 1000, refused at start otherwise. */
function catchUpRps(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(value) || value < 1 || value > 1000)
    throw new ConfigError(
      configEnvironmentVariables.catchUpRequestsPerSecond,
      `${configEnvironmentVariables.catchUpRequestsPerSecond} must be a whole number of REST requests per second from 1 to 1000 (catch-up's budget); got "${raw}".`,
    );
  return value;
}
