import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { resolveConsentPolicy } from "./consent-policy.js";

describe("resolveConsentPolicy", () => {
  it("reads Twilio's SMS keywords and the configured WhatsApp phrases; web chat has none", () => {
    const policy = resolveConsentPolicy({ whatsappOptOut: ["Parar", "no more"] });
    expect(policy.keywordOf("sms", " stop ")).toBe("opt-out");
    expect(policy.keywordOf("sms", "UNSUBSCRIBE")).toBe("opt-out");
    expect(policy.keywordOf("sms", "Start")).toBe("opt-in");
    expect(policy.keywordOf("sms", "help")).toBe("help");
    expect(policy.keywordOf("sms", "stop sending me offers")).toBeUndefined();
    expect(policy.keywordOf("whatsapp", "parar")).toBe("opt-out");
    expect(policy.keywordOf("whatsapp", "No More")).toBe("opt-out");
    // The configured list replaces the default, and HELP on WhatsApp is a question.
    expect(policy.keywordOf("whatsapp", "STOP")).toBeUndefined();
    expect(policy.keywordOf("whatsapp", "HELP")).toBeUndefined();
    expect(policy.keywordOf("whatsapp", "START")).toBe("opt-in");
    expect(policy.keywordOf("chat", "STOP")).toBeUndefined();
  });

  it("lets Twilio answer HELP by default, and sends the help text only when told to", () => {
    expect(resolveConsentPolicy().helpText).toBeUndefined();
    expect(
      resolveConsentPolicy({ helpText: "Acme: reply STOP to stop." }).helpText,
    ).toBeUndefined();
    expect(
      resolveConsentPolicy({ helpAnsweredBy: "switchboard", helpText: "Acme support." }).helpText,
    ).toBe("Acme support.");
  });

  it.each([
    [{ helpAnsweredBy: "switchboard" }, "consent.helpText"],
    [{ helpAnsweredBy: "both" }, "consent.helpAnsweredBy"],
    [{ helpText: "  " }, "consent.helpText"],
    [{ whatsappOptOut: ["STOP", " "] }, "consent.whatsapp.optOut[1]"],
    [{ whatsappOptOut: ["START"] }, "consent.whatsapp.optIn[0]"],
  ])("refuses %j naming %s", (options, option) => {
    let thrown: unknown;
    try {
      resolveConsentPolicy(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe(option);
  });
});
