import { describe, expect, it } from "vitest";
import { defaultChannelCapabilities, describeChannelCapabilities } from "./channel-capabilities.js";

describe("channel capabilities", () => {
  it("gives SMS numbered options and plain text, WhatsApp buttons and its own formatting", () => {
    expect(defaultChannelCapabilities("sms")).toMatchObject({
      choices: "numbered-text",
      formatting: "plain",
      maxMessageCharacters: 1600,
    });
    expect(defaultChannelCapabilities("whatsapp")).toMatchObject({
      choices: "buttons",
      maxQuickReplies: 3,
      maxListOptions: 10,
      formatting: "whatsapp",
    });
    expect(defaultChannelCapabilities("chat")).toMatchObject({
      choices: "buttons",
      formatting: "markdown",
    });
  });

  it("hands out copies, so a runtime narrowing them changes no one else's", () => {
    const mine = defaultChannelCapabilities("sms");
    mine.mediaIn.audio = false;
    expect(defaultChannelCapabilities("sms").mediaIn.audio).toBe(true);
  });

  it("describes a channel in one line for a system prompt", () => {
    const line = describeChannelCapabilities("sms", defaultChannelCapabilities("sms"));
    expect(line).toBe(
      "Channel: sms. Formatting: plain text, no markdown. Choices: numbered text options (up to 10); the customer answers with a number. Customer can send: text, image, audio, document. Keep replies under 306 characters (hard limit 1600 per message).",
    );
    expect(line).not.toContain("\n");
  });

  it("refuses an unknown channel", () => {
    expect(() => defaultChannelCapabilities("fax" as never)).toThrow(/fax/);
  });
});
