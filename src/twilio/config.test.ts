import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { configFromEnv, twilioEnvironmentVariables, validateTwilioOptions } from "./config.js";
import type { TwilioLogger } from "./logger.js";

const accountSid = "AC0123456789abcdef0123456789abcdef";
const serviceSid = "IS0123456789abcdef0123456789abcdef";
const apiKeySid = "SK0123456789abcdef0123456789abcdef";
const authToken = "0123456789abcdef0123456789abcdef";
const validEnv = {
  TWILIO_ACCOUNT_SID: accountSid,
  TWILIO_AUTH_TOKEN: authToken,
  TWILIO_CONVERSATIONS_SERVICE_SID: serviceSid,
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configFromEnv", () => {
  it("reads every variable", () => {
    const options = configFromEnv({
      ...validEnv,
      TWILIO_WEBHOOK_URL: "https://hooks.example.com/twilio",
      TWILIO_API_KEY_SID: apiKeySid,
      TWILIO_API_KEY_SECRET: "secret-value",
      TWILIO_REGION: "ie1",
      TWILIO_EDGE: "dublin",
    });
    expect(options).toEqual({
      accountSid,
      authToken,
      conversationsServiceSid: serviceSid,
      webhookUrl: "https://hooks.example.com/twilio",
      apiKeySid,
      apiKeySecret: "secret-value",
      region: "ie1",
      edge: "dublin",
    });
  });

  it("leaves unset optional variables out, and treats empty as unset", () => {
    expect(configFromEnv({ ...validEnv, TWILIO_REGION: "" })).toEqual({
      accountSid,
      authToken,
      conversationsServiceSid: serviceSid,
    });
  });

  it("accepts an API key instead of the auth token", () => {
    const { TWILIO_AUTH_TOKEN: _omitted, ...env } = validEnv;
    expect(
      configFromEnv({ ...env, TWILIO_API_KEY_SID: apiKeySid, TWILIO_API_KEY_SECRET: "s" })
        .apiKeySid,
    ).toBe(apiKeySid);
  });

  const cases: [
    string,
    Record<string, string | undefined>,
    keyof typeof twilioEnvironmentVariables,
    RegExp,
  ][] = [
    [
      "missing account SID",
      { TWILIO_ACCOUNT_SID: undefined },
      "accountSid",
      /is missing.*Account Info/,
    ],
    [
      "malformed account SID",
      { TWILIO_ACCOUNT_SID: "AC123" },
      "accountSid",
      /32 hexadecimal.*got 5 characters/,
    ],
    [
      "API key SID as account SID",
      { TWILIO_ACCOUNT_SID: apiKeySid },
      "accountSid",
      /looks like an API key SID/,
    ],
    [
      "missing service SID",
      { TWILIO_CONVERSATIONS_SERVICE_SID: undefined },
      "conversationsServiceSid",
      /Conversations → Manage → Services/,
    ],
    [
      "messaging service SID as service",
      { TWILIO_CONVERSATIONS_SERVICE_SID: `MG${"0".repeat(32)}` },
      "conversationsServiceSid",
      /Messaging Service SID/,
    ],
    [
      "no token and no API key",
      { TWILIO_AUTH_TOKEN: undefined },
      "authToken",
      /Auth Token or an API key/,
    ],
    ["token with inner whitespace", { TWILIO_AUTH_TOKEN: "abc def" }, "authToken", /whitespace/],
    ["API key SID without secret", { TWILIO_API_KEY_SID: apiKeySid }, "apiKeySecret", /is missing/],
    ["API key secret without SID", { TWILIO_API_KEY_SECRET: "s" }, "apiKeySid", /is missing/],
    [
      "malformed API key SID",
      { TWILIO_API_KEY_SID: accountSid, TWILIO_API_KEY_SECRET: "s" },
      "apiKeySid",
      /"SK"/,
    ],
    [
      "webhook URL that is not a URL",
      { TWILIO_WEBHOOK_URL: "hooks.example.com/twilio" },
      "webhookUrl",
      /not a valid absolute URL/,
    ],
    [
      "webhook URL with another scheme",
      { TWILIO_WEBHOOK_URL: "ftp://hooks.example.com/" },
      "webhookUrl",
      /http or https/,
    ],
    ["malformed region", { TWILIO_REGION: "IE 1" }, "region", /lowercase/],
    ["malformed edge", { TWILIO_EDGE: "Dublin!" }, "edge", /lowercase/],
  ];

  it.each(cases)("names the option and variable for a %s", (_name, change, option, pattern) => {
    const error = configError(() => configFromEnv({ ...validEnv, ...change }));
    expect(error.option).toBe(option);
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain(`${option} (${twilioEnvironmentVariables[option]})`);
    expect(error.message).toMatch(pattern);
  });

  it("never puts a secret's value in a message", () => {
    const secret = "super secret token";
    const error = configError(() => configFromEnv({ ...validEnv, TWILIO_AUTH_TOKEN: secret }));
    expect(error.message).not.toContain(secret);
    const keyError = configError(() =>
      configFromEnv({
        ...validEnv,
        TWILIO_API_KEY_SID: apiKeySid,
        TWILIO_API_KEY_SECRET: "has space",
      }),
    );
    expect(keyError.message).not.toContain("has space");
  });
});

describe("validateTwilioOptions", () => {
  it("accepts explicit options and keeps the injected client and logger", () => {
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const options = validateTwilioOptions({
      accountSid,
      authToken,
      conversationsServiceSid: serviceSid,
      logger,
    });
    expect(options.logger).toBe(logger);
  });

  it("takes a pino logger as the logger", () => {
    const logger: TwilioLogger = pino({ level: "silent" });
    const options = validateTwilioOptions({
      accountSid,
      authToken,
      conversationsServiceSid: serviceSid,
      logger,
    });
    expect(options.logger).toBe(logger);
  });

  it("rejects non-string values with the option's name", () => {
    const error = configError(() =>
      validateTwilioOptions({
        accountSid: 42 as unknown as string,
        authToken,
        conversationsServiceSid: serviceSid,
      }),
    );
    expect(error.message).toMatch(/accountSid \(TWILIO_ACCOUNT_SID\) must be a string/);
  });
});
