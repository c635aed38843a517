import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { ConfigError } from "../../errors.js";
import { TwilioProvider, type TwilioProviderConfig } from "./twilio-provider.js";

// Options are checked when the provider is built, each refusal a ConfigError naming the
// option path: in plain JavaScript a wrong one otherwise fails later, far from its cause,
// or not at all.
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});

function build(overrides: Record<string, unknown>): TwilioProvider {
  return new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    ...overrides,
  } as TwilioProviderConfig);
}

function refusal(overrides: Record<string, unknown>): ConfigError {
  try {
    build(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(overrides)}`);
}

describe("new TwilioProvider", () => {
  it("refuses an unknown option, suggesting the one meant (webhookURL → webhookUrl)", () => {
    const error = refusal({ webhookURL: "https://bot.example.com/twilio" });
    expect(error.option).toBe("webhookURL");
    expect(error.message).toMatch(/webhookURL is not an option of new TwilioProvider/);
    expect(error.message).toMatch(/did you mean webhookUrl\?/);
    expect(refusal({ resilence: {} }).message).toMatch(/did you mean resilience\?/);
  });

  it("refuses unknown keys inside resilience, circuitBreaker and senderBudget", () => {
    expect(refusal({ resilience: { maxAttempt: 2 } })).toMatchObject({
      option: "resilience.maxAttempt",
      message: expect.stringMatching(/did you mean resilience\.maxAttempts\?/),
    });
    expect(refusal({ resilience: { circuitBreaker: { consecutiveFailure: 3 } } })).toMatchObject({
      option: "resilience.circuitBreaker.consecutiveFailure",
    });
    expect(refusal({ senderBudget: { messagePerSecond: 1 } })).toMatchObject({
      option: "senderBudget.messagePerSecond",
    });
  });

  it("refuses a pacer, httpClient or logger without the methods the provider calls", () => {
    for (const pacer of [{}, true, "in-process", null])
      expect(refusal({ pacer }).option).toBe("pacer");
    expect(refusal({ pacer: {} }).message).toMatch(
      /pacer must be a RequestPacer.*without acquire\(\)/,
    );
    expect(refusal({ httpClient: {} }).option).toBe("httpClient");
    expect(refusal({ logger: "console" }).option).toBe("logger");
    expect(refusal({ logger: { info: () => {} } }).message).toMatch(
      /without debug\(\), warn\(\), error\(\)/,
    );
    expect(refusal({ webhookEnabled: "true" }).option).toBe("webhookEnabled");
  });

  it("refuses resilience values out of range, naming the option path", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ resilience: "fast" }, "resilience"],
      [{ resilience: { maxAttempts: 0 } }, "resilience.maxAttempts"],
      [{ resilience: { maxAttempts: -1 } }, "resilience.maxAttempts"],
      [{ resilience: { maxAttempts: 1.5 } }, "resilience.maxAttempts"],
      [{ resilience: { initialDelayMs: -1 } }, "resilience.initialDelayMs"],
      [{ resilience: { maxDelayMs: -1 } }, "resilience.maxDelayMs"],
      [{ resilience: { maxRetryAfterMs: -1 } }, "resilience.maxRetryAfterMs"],
      [{ resilience: { maxRetryAfterMs: Number.NaN } }, "resilience.maxRetryAfterMs"],
      [{ resilience: { maxConcurrentRequests: 0 } }, "resilience.maxConcurrentRequests"],
      [{ resilience: { onRetry: "log" } }, "resilience.onRetry"],
      [{ resilience: { circuitBreaker: true } }, "resilience.circuitBreaker"],
      [
        { resilience: { circuitBreaker: { consecutiveFailures: -1 } } },
        "resilience.circuitBreaker.consecutiveFailures",
      ],
      [
        { resilience: { circuitBreaker: { halfOpenAfterMs: -5 } } },
        "resilience.circuitBreaker.halfOpenAfterMs",
      ],
    ];
    for (const [overrides, option] of cases) expect(refusal(overrides).option).toBe(option);
  });

  it("refuses a sender budget that is not a positive whole number per second", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ senderBudget: 5 }, "senderBudget"],
      [{ senderBudget: {} }, "senderBudget.messagesPerSecond"],
      [{ senderBudget: { messagesPerSecond: 0 } }, "senderBudget.messagesPerSecond"],
      [{ senderBudget: { messagesPerSecond: -1 } }, "senderBudget.messagesPerSecond"],
      [{ senderBudget: { messagesPerSecond: 0.5 } }, "senderBudget.messagesPerSecond"],
    ];
    for (const [overrides, option] of cases) expect(refusal(overrides).option).toBe(option);
    expect(refusal({ senderBudget: { messagesPerSecond: 0 } }).message).toMatch(
      /leave senderBudget out for no budget/,
    );
  });

  it("still accepts every documented option, and undefined for any of them", async () => {
    const provider = build({
      webhookUrl: "https://bot.example.com/twilio",
      webhookEnabled: false,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      pacer: false,
      senderBudget: { messagesPerSecond: 1 },
      streamBufferSize: 10,
      resilience: {
        maxAttempts: 1,
        initialDelayMs: 0,
        maxDelayMs: 0,
        maxRetryAfterMs: 0,
        maxConcurrentRequests: 1,
        circuitBreaker: false,
        random: Math.random,
        onRetry: () => {},
      },
      region: undefined,
      apiKeySid: undefined,
    });
    await expect(provider.start()).resolves.toBeUndefined();
    expect(() =>
      build({ resilience: { circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 0 } } }),
    ).not.toThrow();
  });
});
