import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import { recordingAgent } from "../testing/recording-agent.js";
import { resolveOptions } from "./resolve-options.js";
import { channelContext } from "./rich-reply.js";
import type { RuntimeProvider } from "./runtime-provider.js";

const base = {
  provider: { sendMessage: async () => ({ id: "IM" }) } as unknown as RuntimeProvider,
  agent: recordingAgent(),
  mailbox: { ingest: async () => "accepted" } as unknown as MailboxStore,
};

function refusal(options: Record<string, unknown>): ConfigError {
  try {
    resolveOptions({ ...base, ...options });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("the options were accepted");
}

describe("rich conversation options", () => {
  it("refuses bad media limits and segment caps at construction, naming the option", () => {
    expect(refusal({ media: { maxBytes: 0, allowedContentTypes: [] } }).option).toBe(
      "media.maxBytes",
    );
    expect(refusal({ media: { maxBytes: 10, allowedContentTypes: ["images"] } }).option).toBe(
      "media.allowedContentTypes",
    );
    expect(refusal({ channels: { sms: { maxSegments: 11 } } }).option).toBe(
      "channels.sms.maxSegments",
    );
    expect(refusal({ channels: { sms: { maxSegments: 1.5 } } }).message).toMatch(/1 to 10/);
  });

  it("refuses a bad approved choices template at construction, naming the entry", () => {
    expect(
      refusal({
        channels: { whatsapp: { choiceTemplates: [{ name: "menu", contentSid: "HX1" }] } },
      }).option,
    ).toBe("channels.whatsapp.choiceTemplates[0].contentSid");
    const sid = `HX${"a".repeat(32)}`;
    expect(
      resolveOptions({
        ...base,
        channels: { whatsapp: { choiceTemplates: [{ name: "menu", contentSid: sid }] } },
      }).choiceTemplates,
    ).toEqual([{ name: "menu", contentSid: sid, variables: {} }]);
  });

  it("tells the agent a shorter comfortable length under an SMS segment cap", () => {
    expect(channelContext("sms", undefined).capabilities.preferredCharacters).toBe(306);
    expect(channelContext("sms", 1).capabilities.preferredCharacters).toBe(160);
    expect(channelContext("whatsapp", 1)).toMatchObject({
      name: "whatsapp",
      capabilities: { preferredCharacters: 700, choices: "buttons" },
    });
  });
});
