import { describe, expect, it } from "vitest";
import { ConfigFileError } from "./config-file-error.js";
import { validateConfig } from "./validate-config.js";

describe("config file: SMS segment cap", () => {
  it("takes channels.sms.maxSegments from 1 to 10 and refuses anything else by name", () => {
    expect(validateConfig({ channels: { sms: { maxSegments: 2 } } }, "/x/c.ts")).toEqual({
      channels: { sms: { maxSegments: 2 } },
    });
    for (const bad of [0, 11, 1.5, "2"]) {
      let error: unknown;
      try {
        validateConfig({ channels: { sms: { maxSegments: bad } } }, "/x/c.ts");
      } catch (thrown) {
        error = thrown;
      }
      expect(error, String(bad)).toBeInstanceOf(ConfigFileError);
      expect((error as ConfigFileError).problems.join("\n")).toMatch(
        /^channels\.sms\.maxSegments: /,
      );
    }
  });
});
