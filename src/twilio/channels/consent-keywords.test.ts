import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors.js";
import {
  createConsentMatcher,
  smsConsentKeyword,
  smsHelpKeywords,
  smsOptInKeywords,
  smsOptOutKeywords,
} from "./consent-keywords.js";

describe("smsConsentKeyword", () => {
  it.each(smsOptOutKeywords)("%s opts out", (keyword) => {
    expect(smsConsentKeyword(keyword)).toBe("opt-out");
    expect(smsConsentKeyword(keyword.toLowerCase())).toBe("opt-out");
  });
  it.each(smsOptInKeywords)("%s opts in", (keyword) => {
    expect(smsConsentKeyword(keyword)).toBe("opt-in");
  });
  it.each(smsHelpKeywords)("%s asks for help", (keyword) => {
    expect(smsConsentKeyword(keyword)).toBe("help");
  });

  it.each([
    ["Stop", "opt-out"],
    ["  stop \n", "opt-out"],
    ["stop all", "opt-out"],
    ["Opt Out", "opt-out"],
    ["S T O P", "opt-out"],
    ["STOP!", "opt-out"],
    ["stop.", "opt-out"],
    ["\u200BSTOP\u00A0", "opt-out"],
    ["ＳＴＯＰ", "opt-out"],
    ["Help?", "help"],
    ["info", "help"],
    ["start", "opt-in"],
    ["Un stop", "opt-in"],
    ["yes", "opt-in"],
  ] as const)("%j → %s", (text, expected) => {
    expect(smsConsentKeyword(text)).toBe(expected);
  });

  it.each([
    "STOP PLEASE",
    "please stop",
    "stopping",
    "I want to cancel my booking",
    "Yes!",
    "yes please",
    "start.",
    "help me",
    "",
    "   ",
    "!!!",
    "1",
  ])("%j is an ordinary message", (text) => {
    expect(smsConsentKeyword(text)).toBeUndefined();
  });

  it("ignores missing bodies and very long messages", () => {
    expect(smsConsentKeyword(undefined)).toBeUndefined();
    expect(smsConsentKeyword(null)).toBeUndefined();
    expect(smsConsentKeyword(`STOP${" ".repeat(300)}`)).toBeUndefined();
  });
});

describe("createConsentMatcher (WhatsApp phrases)", () => {
  const whatsapp = createConsentMatcher(
    { optOut: ["stop", "unsubscribe", "no more messages"], optIn: ["start"] },
    "whatsAppConsentPhrases",
  );

  it("matches configured phrases the same way: whole message, case and spaces ignored", () => {
    expect(whatsapp.match("No more messages")).toBe("opt-out");
    expect(whatsapp.match("no  more   messages!")).toBe("opt-out");
    expect(whatsapp.match("nomoremessages")).toBe("opt-out");
    expect(whatsapp.match("please no more messages")).toBeUndefined();
    expect(whatsapp.match("START")).toBe("opt-in");
    // A list that is not given keeps Twilio's default.
    expect(whatsapp.match("info")).toBe("help");
    // A list that is given replaces the default.
    expect(whatsapp.match("quit")).toBeUndefined();
    expect(whatsapp.match("yes")).toBeUndefined();
  });

  it("refuses a blank phrase at construction, naming the option", () => {
    const error = (() => {
      try {
        createConsentMatcher({ optOut: ["stop", "  "] }, "whatsAppConsentPhrases");
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe("whatsAppConsentPhrases.optOut[1]");
  });

  it("refuses a phrase that means two things", () => {
    expect(() => createConsentMatcher({ optOut: ["stop"], optIn: ["Stop"] })).toThrow(
      /consentPhrases\.optIn\[0\] \("Stop"\) is already listed as opt-out/,
    );
  });

  it("refuses a list that is not an array", () => {
    expect(() => createConsentMatcher({ optOut: "stop" as never })).toThrow(ConfigError);
  });
});
