import type twilio from "twilio";
import { ConfigError } from "../errors.js";
import type { TwilioLogger } from "./logger.js";

/** How `TwilioProvider` reaches and authenticates with Twilio (or the emulator). */
export interface TwilioProviderOptions {
  /** `AC…` — Twilio Console → Account Info. Env: `TWILIO_ACCOUNT_SID`. */
  accountSid: string;
  /**
   * The Auth Token — Twilio Console → Account Info. Env: `TWILIO_AUTH_TOKEN`. Verifies
   * webhook signatures; also authenticates REST calls unless an API key is given.
   */
  authToken?: string | undefined;
  /** `SK…` API key for REST calls (Console → Account → API keys). Env: `TWILIO_API_KEY_SID`. */
  apiKeySid?: string | undefined;
  /** The API key's secret, shown once when the key is created. Env: `TWILIO_API_KEY_SECRET`. */
  apiKeySecret?: string | undefined;
  /** `IS…` — Conversations → Manage → Services. Env: `TWILIO_CONVERSATIONS_SERVICE_SID`. */
  conversationsServiceSid: string;
  /**
   * The public URL Twilio calls for webhooks, exactly as configured in Twilio; signatures are
   * checked against it. Env: `TWILIO_WEBHOOK_URL`.
   */
  webhookUrl?: string | undefined;
  /** Twilio region, e.g. `ie1`. Env: `TWILIO_REGION`. */
  region?: string | undefined;
  /** Twilio edge location, e.g. `dublin`. Env: `TWILIO_EDGE`. */
  edge?: string | undefined;
  /** An official-SDK request client; how the provider reaches the emulator in tests. */
  httpClient?: twilio.RequestClient | undefined;
  logger?: TwilioLogger | undefined;
}

/** Environment variable for each option read from the environment. */
export const twilioEnvironmentVariables = {
  accountSid: "TWILIO_ACCOUNT_SID",
  authToken: "TWILIO_AUTH_TOKEN",
  conversationsServiceSid: "TWILIO_CONVERSATIONS_SERVICE_SID",
  webhookUrl: "TWILIO_WEBHOOK_URL",
  apiKeySid: "TWILIO_API_KEY_SID",
  apiKeySecret: "TWILIO_API_KEY_SECRET",
  region: "TWILIO_REGION",
  edge: "TWILIO_EDGE",
} as const;

type EnvironmentOption = keyof typeof twilioEnvironmentVariables;

const whereToFind: Record<EnvironmentOption, string> = {
  accountSid: "find it in Twilio Console → Account Info",
  authToken: "find it in Twilio Console → Account Info",
  conversationsServiceSid: "find it in Twilio Console → Conversations → Manage → Services",
  webhookUrl: "use the public https URL you configured in Twilio for the service's webhooks",
  apiKeySid: "create one in Twilio Console → Account → API keys & tokens",
  apiKeySecret:
    "it is shown once when the API key is created in Twilio Console → Account → API keys & tokens",
  region: "see Twilio's regions list, e.g. us1, ie1, au1",
  edge: "see Twilio's edge locations list, e.g. ashburn, dublin, sydney",
};

/**
 * Reads the options from the environment and validates them (`validateTwilioOptions`).
 * Throws `ConfigError` naming the variable that is missing or malformed.
 */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TwilioProviderOptions {
  const read = (option: EnvironmentOption) => {
    const value = env[twilioEnvironmentVariables[option]]?.trim();
    return value === "" ? undefined : value;
  };
  return validateTwilioOptions({
    accountSid: read("accountSid"),
    authToken: read("authToken"),
    conversationsServiceSid: read("conversationsServiceSid"),
    webhookUrl: read("webhookUrl"),
    apiKeySid: read("apiKeySid"),
    apiKeySecret: read("apiKeySecret"),
    region: read("region"),
    edge: read("edge"),
  });
}

/** Options as they arrive from a caller, before validation: everything may be missing. */
export type UncheckedTwilioOptions = {
  [K in keyof TwilioProviderOptions]?: TwilioProviderOptions[K] | undefined;
};

/**
 * Checks presence, SID formats and URL syntax, and returns the options typed as valid.
 * Messages name the option, its environment variable and where to find the value; they
 * never include a secret's value.
 */
export function validateTwilioOptions(options: UncheckedTwilioOptions): TwilioProviderOptions {
  const accountSid = requireSid(options.accountSid, "accountSid", "AC", "an Account SID");
  const conversationsServiceSid = requireSid(
    options.conversationsServiceSid,
    "conversationsServiceSid",
    "IS",
    "a Conversations Service SID",
  );

  const hasApiKey = options.apiKeySid !== undefined || options.apiKeySecret !== undefined;
  if (hasApiKey) {
    requireSid(options.apiKeySid, "apiKeySid", "SK", "an API key SID");
    requireSecret(options.apiKeySecret, "apiKeySecret");
  }
  if (options.authToken !== undefined) {
    requireSecret(options.authToken, "authToken");
  } else if (!hasApiKey) {
    throw fail(
      "authToken",
      "is missing; REST calls need either the Auth Token or an API key (apiKeySid/TWILIO_API_KEY_SID + apiKeySecret/TWILIO_API_KEY_SECRET)",
    );
  }

  if (options.webhookUrl !== undefined) checkWebhookUrl(options.webhookUrl);
  if (options.region !== undefined) checkLocation(options.region, "region");
  if (options.edge !== undefined) checkLocation(options.edge, "edge");

  const valid: TwilioProviderOptions = { ...options, accountSid, conversationsServiceSid };
  // Drop keys that are present but undefined so the result spreads cleanly into SDK options.
  for (const key of Object.keys(valid) as (keyof TwilioProviderOptions)[]) {
    if (valid[key] === undefined) delete valid[key];
  }
  return valid;
}

function fail(option: EnvironmentOption, problem: string): ConfigError {
  return new ConfigError(
    option,
    `Twilio option ${option} (${twilioEnvironmentVariables[option]}) ${problem}; ${whereToFind[option]}.`,
  );
}

function requireSid(
  value: unknown,
  option: EnvironmentOption,
  prefix: string,
  what: string,
): string {
  if (value === undefined || value === null || value === "") throw fail(option, "is missing");
  if (typeof value !== "string") throw fail(option, `must be a string, got ${typeof value}`);
  if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value)) {
    // SIDs are not secret, but only the prefix and length are needed to see the mistake.
    const hint = sidHint(value, prefix);
    throw fail(
      option,
      `must be ${what}: "${prefix}" followed by 32 hexadecimal characters (34 in all); got ${value.length} characters starting with "${value.slice(0, 2)}"${hint}`,
    );
  }
  return value;
}

function sidHint(value: string, expected: string): string {
  const prefix = value.slice(0, 2).toUpperCase();
  if (prefix === expected) return "";
  const known: Record<string, string> = {
    AC: "an Account SID (accountSid)",
    IS: "a Conversations Service SID (conversationsServiceSid)",
    SK: "an API key SID (apiKeySid)",
    MG: "a Messaging Service SID, not a Conversations Service SID",
    CH: "a Conversation SID",
  };
  const name = known[prefix];
  return name === undefined ? "" : ` — that looks like ${name}`;
}

function requireSecret(value: unknown, option: "authToken" | "apiKeySecret"): string {
  if (value === undefined || value === null || value === "") throw fail(option, "is missing");
  if (typeof value !== "string") throw fail(option, `must be a string, got ${typeof value}`);
  if (value.trim() !== value || /\s/.test(value)) {
    throw fail(option, "contains whitespace (a copy-paste accident?)");
  }
  return value;
}

function checkWebhookUrl(value: unknown): void {
  if (typeof value !== "string") throw fail("webhookUrl", `must be a string, got ${typeof value}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(
      "webhookUrl",
      `Twilio option webhookUrl (TWILIO_WEBHOOK_URL) is not a valid absolute URL: "${value}"; ${whereToFind.webhookUrl}.`,
      { cause },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw fail("webhookUrl", `must use http or https, got "${url.protocol}"`);
  }
}

function checkLocation(value: unknown, option: "region" | "edge"): void {
  if (typeof value !== "string" || !/^[a-z][a-z0-9-]*$/.test(value)) {
    throw fail(option, "must be a lowercase name (letters, digits, dashes)");
  }
}
