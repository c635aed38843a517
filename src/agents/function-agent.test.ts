import { describe, expect, it } from "vitest";
import { InvalidReplyError } from "./agent-errors.js";
import { functionAgent } from "./function-agent.js";
import { normalizeReply } from "./normalize-reply.js";
import type { AgentContext, Turn } from "./types.js";

const turn: Turn = {
  conversationSid: "CH00000000000000000000000000000001",
  messages: [{ messageSid: "IM1", index: 0, body: "hello", media: [], dateCreated: new Date(0) }],
  text: "hello",
  channel: "sms",
  author: "+15551230001",
  media: [],
};
const context: AgentContext = {
  history: [],
  conversation: { sid: turn.conversationSid, channel: "sms", customer: "+15551230001" },
  signal: new AbortController().signal,
};

describe("functionAgent", () => {
  it("turns a bare string into a text reply", async () => {
    const agent = functionAgent((incoming) => `You said: ${incoming.text}`);
    expect(await agent.respond(turn, context)).toEqual({ text: "You said: hello" });
  });

  it("passes the turn and context through and awaits async functions", async () => {
    const agent = functionAgent(async (incoming, given) => ({
      text: `${incoming.author} on ${given.conversation.channel}`,
    }));
    expect(await agent.respond(turn, context)).toEqual({ text: "+15551230001 on sms" });
  });

  it("rejects a malformed answer with a stable code", async () => {
    const agent = functionAgent(() => 42 as unknown as string);
    await expect(agent.respond(turn, context)).rejects.toMatchObject({
      code: "invalid_agent_reply",
    });
  });

  it("propagates errors thrown by the function", async () => {
    const agent = functionAgent(() => {
      throw new Error("boom");
    });
    await expect(agent.respond(turn, context)).rejects.toThrow("boom");
  });

  it("refuses a non-function at construction", () => {
    expect(() => functionAgent("nope" as never)).toThrow(TypeError);
  });
});

describe("normalizeReply", () => {
  it("keeps handoff, skip, media and template replies", () => {
    expect(normalizeReply({ handoff: { reason: "asked" }, text: "One moment" })).toEqual({
      handoff: { reason: "asked" },
      text: "One moment",
    });
    expect(normalizeReply({ skip: true })).toEqual({ skip: true });
    expect(normalizeReply({ skip: true, text: "ignored" })).toEqual({ skip: true });
    expect(normalizeReply({ handoff: { reason: "asked" }, text: " " })).toEqual({
      handoff: { reason: "asked" },
    });
    const data = new Uint8Array([1, 2, 3]);
    expect(
      normalizeReply({
        media: [{ url: "https://example.com/a.png" }, { data, contentType: "image/png" }],
      }),
    ).toEqual({
      media: [{ url: "https://example.com/a.png" }, { data, contentType: "image/png" }],
    });
    const contentSid = `HX${"a".repeat(32)}`;
    expect(normalizeReply({ template: { contentSid, variables: { "1": "Ada" } } })).toEqual({
      template: { contentSid, variables: { "1": "Ada" } },
    });
  });

  it.each([
    ["null", null],
    ["an array", ["hi"]],
    ["an empty object", {}],
    ["blank text", { text: "   " }],
    ["non-string text", { text: 5 }],
    ["a handoff without a reason", { handoff: {} }],
    ["media that is not an array", { media: "https://example.com" }],
    ["media without url or data", { media: [{ contentType: "image/png" }] }],
    ["media data without a type", { media: [{ data: new Uint8Array(1) }] }],
    ["a media url that is not a URL", { media: [{ url: "not a url" }] }],
    ["a media url Twilio cannot fetch", { media: [{ url: "file:///etc/passwd" }] }],
    ["an empty string", ""],
    ["a forged content sid", { template: { contentSid: "HX123" } }],
    [
      "non-string template variables",
      { template: { contentSid: `HX${"0".repeat(32)}`, variables: { 1: 2 } } },
    ],
  ])("rejects %s", (_, value) => {
    expect(() => normalizeReply(value)).toThrow(InvalidReplyError);
  });
});
