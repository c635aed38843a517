import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { createSwitchboard } from "../runtime/create-switchboard.js";
import { recordingAgent } from "../testing/recording-agent.js";
import { identitySecretVariable, webchatCustomerOptions } from "./webchat-customer-faces.js";

/** The web chat's customer features are refused at start when misconfigured, naming the option. */
describe("webchatCustomerOptions", () => {
  const switchboard = createSwitchboard({
    provider: {
      sendMessage: async () => ({ id: "IM0", index: 0 }),
      listMessages: async function* () {},
    },
    mailbox: sqliteMailbox({ path: ":memory:" }),
    agent: recordingAgent(),
    webhook: { verify: false },
  });
  afterAll(() => switchboard.close());
  const provider = {
    createConversation: async () => ({ id: "CH0" }),
    addParticipant: async () => ({}),
  };
  const build = (
    config: Parameters<typeof webchatCustomerOptions>[0]["config"],
    environment: Record<string, string> = {},
  ) =>
    webchatCustomerOptions({
      switchboard,
      provider,
      secret: "web-chat-secret-of-at-least-32-bytes-0000",
      config,
      environment,
    });
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError & { option?: string }).message;
    }
    throw new Error("not refused");
  };

  it("offers nothing without numbers or secret, and each feature when configured", () => {
    expect(build(undefined)).toEqual({});
    expect(
      build({ smsNumber: "+15017122661", whatsappNumber: "+14155238886" }).verification?.channels,
    ).toEqual(["sms"]);
    const all = build(
      {
        smsNumber: "+15017122661",
        whatsappNumber: "+14155238886",
        verify: { whatsappTemplate: { contentSid: `HX${"a".repeat(32)}` } },
      },
      { [identitySecretVariable]: "application-identity-secret-00000000000" },
    );
    expect(all.verification?.channels).toEqual(["sms", "whatsapp"]);
    expect(all.whatsappNumber).toBe("+14155238886");
    expect(all.continueBySms).toBeDefined();
    expect(all.signedIdentity).toBeDefined();
    expect(build({ smsNumber: "+15017122661", verify: false }).verification).toBeUndefined();
  });

  it("refuses bad numbers, channels without a number, bad limits and a short identity secret", () => {
    expect(refusal(() => build({ smsNumber: "5017122661" }))).toMatch(/webchat\.smsNumber/);
    expect(refusal(() => build({ whatsappNumber: "whatsapp:+1415" }))).toMatch(
      /webchat\.whatsappNumber/,
    );
    expect(
      refusal(() => build({ smsNumber: "+15017122661", verify: { channels: ["whatsapp"] } })),
    ).toMatch(/webchat\.verify\.channels/);
    expect(
      refusal(() => build({ whatsappNumber: "+14155238886", verify: { channels: ["whatsapp"] } })),
    ).toMatch(/whatsappTemplate/);
    expect(
      refusal(() => build({ smsNumber: "+15017122661", verify: { codeTtlMs: 1000 } })),
    ).toMatch(/codeTtlMs/);
    expect(refusal(() => build({ smsNumber: "+15017122661", verify: { maxAttempts: 0 } }))).toMatch(
      /maxAttempts/,
    );
    expect(
      refusal(() => build({ smsNumber: "+15017122661", verify: { countries: ["+44"] } })),
    ).toMatch(/webchat\.verify\.countries/);
    expect(refusal(() => build({}, { [identitySecretVariable]: "short" }))).toMatch(
      new RegExp(identitySecretVariable),
    );
  });
});
