import { describe, expect, it } from "vitest";
import type { AgentContext, Turn } from "../agents/types.js";
import { recordingAgent } from "./recording-agent.js";

const turnOf = (text: string): Turn => ({
  conversationSid: "CH00000000000000000000000000000001",
  messages: [
    { messageSid: `IM-${text}`, index: 0, body: text, media: [], dateCreated: new Date(0) },
  ],
  text,
  channel: "chat",
  author: "ada",
  media: [],
});
const contextWith = (signal = new AbortController().signal): AgentContext => ({
  history: [{ role: "customer", text: "earlier", dateCreated: new Date(0) }],
  conversation: { sid: "CH00000000000000000000000000000001", channel: "chat", customer: "ada" },
  signal,
});

describe("recordingAgent", () => {
  it("echoes by default and records turn, history and conversation", async () => {
    const agent = recordingAgent();
    expect(await agent.respond(turnOf("hello"), contextWith())).toEqual({ text: "echo: hello" });
    expect(agent.calls).toHaveLength(1);
    expect(agent.calls[0]).toMatchObject({
      turn: { text: "hello" },
      history: [{ text: "earlier" }],
      conversation: { customer: "ada" },
      outcome: { reply: { text: "echo: hello" } },
    });
  });

  it("answers with a configurable function, validated like any agent", async () => {
    const agent = recordingAgent({ respond: (turn) => turn.text.toUpperCase() });
    expect(await agent.respond(turnOf("hi"), contextWith())).toEqual({ text: "HI" });
    agent.answerWith(() => ({ handoff: { reason: "test" } }));
    expect(await agent.respond(turnOf("x"), contextWith())).toEqual({
      handoff: { reason: "test" },
    });
    agent.answerWith(() => ({}) as never);
    await expect(agent.respond(turnOf("y"), contextWith())).rejects.toMatchObject({
      code: "invalid_agent_reply",
    });
  });

  it("fails the first N calls, then answers", async () => {
    const agent = recordingAgent({ failTimes: 2 });
    await expect(agent.respond(turnOf("1"), contextWith())).rejects.toThrow("planned failure");
    await expect(agent.respond(turnOf("2"), contextWith())).rejects.toThrow("planned failure");
    expect(await agent.respond(turnOf("3"), contextWith())).toEqual({ text: "echo: 3" });
    const custom = new Error("model down");
    agent.failNext(1, custom);
    await expect(agent.respond(turnOf("4"), contextWith())).rejects.toBe(custom);
    expect(agent.calls.map((call) => "error" in (call.outcome ?? {}))).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it("holds calls until released, in order", async () => {
    const agent = recordingAgent({ held: true });
    const first = agent.respond(turnOf("a"), contextWith());
    const second = agent.respond(turnOf("b"), contextWith());
    await agent.waitForCalls(2);
    expect(agent.heldCount).toBe(2);
    expect(agent.calls.every((call) => call.outcome === undefined)).toBe(true);
    agent.release();
    expect(await first).toEqual({ text: "echo: a" });
    expect(await second).toEqual({ text: "echo: b" });
    expect(agent.heldCount).toBe(0);
    // Released means later calls go straight through until hold() again.
    expect(await agent.respond(turnOf("c"), contextWith())).toEqual({ text: "echo: c" });
  });

  it("lets a held call end when its signal aborts", async () => {
    const agent = recordingAgent();
    agent.hold();
    const controller = new AbortController();
    const pending = agent.respond(turnOf("slow"), contextWith(controller.signal));
    await agent.waitForCalls(1);
    controller.abort(new Error("lease lost"));
    await expect(pending).rejects.toThrow("lease lost");
    expect(agent.heldCount).toBe(0);
    const already = new AbortController();
    already.abort(new Error("gone"));
    await expect(agent.respond(turnOf("late"), contextWith(already.signal))).rejects.toThrow(
      "gone",
    );
  });

  it("waitForCalls says how many calls came when too few do", async () => {
    const agent = recordingAgent();
    await expect(agent.waitForCalls(1, { timeoutMs: 20 })).rejects.toThrow(
      "expected 1 calls, got 0",
    );
  });
});
