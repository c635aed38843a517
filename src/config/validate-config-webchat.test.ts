import { describe, expect, it } from "vitest";
import { ConfigFileError } from "./config-file-error.js";
import { validateConfig } from "./validate-config.js";

describe("config file: webchat customer features", () => {
  it("takes numbers and verify settings, and refuses anything else by name", () => {
    const good = {
      webchat: {
        smsNumber: "+15017122661",
        whatsappNumber: "+14155238886",
        verify: { channels: ["sms"], codeTtlMs: 300_000, maxAttempts: 3, senderName: "Harbor" },
      },
    };
    expect(validateConfig(good, "/x/c.ts")).toEqual(good);
    expect(validateConfig({ webchat: { verify: false } }, "/x/c.ts")).toEqual({
      webchat: { verify: false },
    });
    for (const [bad, key] of [
      [{ smsNumber: "5017122661" }, "webchat.smsNumber"],
      [{ whatsappNumber: "whatsapp:+14155238886" }, "webchat.whatsappNumber"],
      [{ verify: { channels: ["fax"] } }, "webchat.verify"],
      [{ verify: { codeTtlMs: 10 } }, "webchat.verify"],
      [{ verify: { maxAttempts: 50 } }, "webchat.verify"],
      [{ identitySecret: "x".repeat(40) }, "webchat"],
    ] as const) {
      let error: unknown;
      try {
        validateConfig({ webchat: bad }, "/x/c.ts");
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(bad)).toBeInstanceOf(ConfigFileError);
      expect((error as ConfigFileError).problems.join("\n")).toContain(key);
    }
  });
});
