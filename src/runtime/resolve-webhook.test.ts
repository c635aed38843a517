import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { silentLogger } from "../twilio/logger.js";
import { resolveWebhook } from "./resolve-webhook.js";
import type { RuntimeProvider } from "./runtime-provider.js";

const provider = (webhookVerification?: { authToken?: string; url?: string }): RuntimeProvider => ({
  sendMessage: () => Promise.reject(new Error("unused")),
  async *listMessages() {},
  ...(webhookVerification === undefined ? {} : { webhookVerification }),
});
const path = "/twilio/webhook";

describe("resolveWebhook", () => {
  it("verifies with the provider's own Auth Token and webhook URL when not told otherwise", () => {
    const resolved = resolveWebhook(
      { path },
      provider({ authToken: "provider-token", url: "https://example.test/twilio/webhook" }),
      silentLogger,
      {},
    );
    expect(resolved).toMatchObject({
      path,
      verify: true,
      authToken: "provider-token",
      url: "https://example.test/twilio/webhook",
      trustProxy: false,
    });
  });

  it("prefers the options, then the provider, then TWILIO_AUTH_TOKEN", () => {
    const both = provider({ authToken: "provider-token", url: "https://provider.test/hook" });
    expect(
      resolveWebhook(
        { path, authToken: "option-token", url: "https://option.test/hook" },
        both,
        silentLogger,
        {
          TWILIO_AUTH_TOKEN: "env-token",
        },
      ),
    ).toMatchObject({ authToken: "option-token", url: "https://option.test/hook" });
    expect(
      resolveWebhook({ path }, provider(), silentLogger, { TWILIO_AUTH_TOKEN: "env-token" }),
    ).toMatchObject({ authToken: "env-token", url: undefined });
  });

  it("refuses to build when it could not verify any webhook, naming the option", () => {
    let thrown: unknown;
    try {
      resolveWebhook({ path }, provider({ url: "https://example.test/hook" }), silentLogger, {
        TWILIO_AUTH_TOKEN: "  ",
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe("webhook.authToken");
    expect((thrown as Error).message).toMatch(/webhook\.authToken.*TWILIO_AUTH_TOKEN/);
  });

  it("needs no token when verification is turned off, and keeps none", () => {
    expect(
      resolveWebhook({ path, verify: false }, provider({ authToken: "t" }), silentLogger, {}),
    ).toMatchObject({ verify: false, authToken: undefined });
  });
});
