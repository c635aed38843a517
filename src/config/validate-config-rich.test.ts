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

describe("config file: approved templates for choices", () => {
  const sid = `HX${"a".repeat(32)}`;

  it("takes channels.whatsapp.choiceTemplates and refuses a bad entry by its path", () => {
    const choiceTemplates = [
      { name: "service-menu", contentSid: sid, textVariable: "1" },
      { choiceIds: ["yes", "no"], contentSid: sid, variables: { "1": "Ada" } },
    ];
    expect(validateConfig({ channels: { whatsapp: { choiceTemplates } } }, "/x/c.ts")).toEqual({
      channels: { whatsapp: { choiceTemplates } },
    });
    const bad: [unknown, RegExp][] = [
      [
        [{ name: "x", contentSid: "HX12" }],
        /^channels\.whatsapp\.choiceTemplates\.0\.contentSid: /,
      ],
      [
        [{ choiceIds: [], contentSid: sid }],
        /^channels\.whatsapp\.choiceTemplates\.0\.choiceIds: /,
      ],
      [[{ name: "x", contentSid: sid, buttons: 3 }], /^channels\.whatsapp\.choiceTemplates\.0/],
      ["menu", /^channels\.whatsapp\.choiceTemplates: /],
    ];
    for (const [choiceTemplatesValue, pattern] of bad) {
      let error: unknown;
      try {
        validateConfig(
          { channels: { whatsapp: { choiceTemplates: choiceTemplatesValue } } },
          "/x/c.ts",
        );
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(choiceTemplatesValue)).toBeInstanceOf(ConfigFileError);
      expect((error as ConfigFileError).problems.join("\n")).toMatch(pattern);
    }
  });
});

describe("config file: web chat uploads", () => {
  it("takes channels.webchat.uploads as false or limits, and refuses a bad one by its path", () => {
    for (const uploads of [false, { maxBytes: 1_000_000, contentTypes: ["image/png"] }, {}])
      expect(validateConfig({ channels: { webchat: { uploads } } }, "/x/c.ts")).toEqual({
        channels: { webchat: { uploads } },
      });
    for (const [uploads, pattern] of [
      [{ maxBytes: 0 }, /^channels\.webchat\.uploads\.maxBytes: /],
      [{ maxBytes: 17 * 1024 * 1024 }, /^channels\.webchat\.uploads\.maxBytes: /],
      [{ contentTypes: [] }, /^channels\.webchat\.uploads\.contentTypes: /],
      [true, /^channels\.webchat\.uploads: /],
      [{ types: ["image/png"] }, /^channels\.webchat\.uploads/],
    ] as const) {
      let error: unknown;
      try {
        validateConfig({ channels: { webchat: { uploads } } }, "/x/c.ts");
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(uploads)).toBeInstanceOf(ConfigFileError);
      expect((error as ConfigFileError).problems.join("\n")).toMatch(pattern);
    }
  });
});
