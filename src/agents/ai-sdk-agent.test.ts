import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { jsonSchema, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aiSdkAgent } from "./ai-sdk-agent.js";
import type { AgentContext, HistoryMessage, Turn } from "./types.js";

type Handler = (
  body: Record<string, unknown>,
  request: IncomingMessage,
  response: ServerResponse,
) => void;

/** A real OpenAI-compatible chat completions server that answers from a script. */
let server: Server;
let baseURL: string;
let script: Handler[] = [];
let received: Record<string, unknown>[] = [];
let closedEarly = 0;

function completion(message: Record<string, unknown>, finishReason = "stop") {
  return {
    id: `chatcmpl-${received.length}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: "test-model",
    choices: [
      { index: 0, message: { role: "assistant", ...message }, finish_reason: finishReason },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}
const answer =
  (content: string | null, extra: Record<string, unknown> = {}, finishReason = "stop"): Handler =>
  (_, __, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(completion({ content, ...extra }, finishReason)));
  };
const toolCall = (name: string, input: unknown): Handler =>
  answer(
    null,
    {
      tool_calls: [
        {
          id: `call_${name}`,
          type: "function",
          function: { name, arguments: JSON.stringify(input) },
        },
      ],
    },
    "tool_calls",
  );

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    received.push(body);
    response.on("close", () => {
      if (!response.writableFinished) closedEarly += 1;
    });
    const handler = script.shift();
    if (handler === undefined) response.writeHead(500).end("no scripted answer");
    else handler(body, request, response);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});
beforeEach(() => {
  script = [];
  received = [];
  closedEarly = 0;
});

const model = () =>
  createOpenAICompatible({ name: "local", baseURL, apiKey: "test-key" }).chatModel("test-model");

const turn: Turn = {
  conversationSid: "CH00000000000000000000000000000001",
  messages: [
    { messageSid: "IM3", index: 3, body: "and on Sundays?", media: [], dateCreated: new Date(0) },
  ],
  text: "and on Sundays?",
  channel: "sms",
  author: "+15551230001",
  media: [],
};
const history: HistoryMessage[] = [
  { role: "customer", text: "when are you open?", dateCreated: new Date(0) },
  { role: "agent", text: "Tuesday to Saturday, 9 to 6.", dateCreated: new Date(0) },
];
const contextWith = (signal = new AbortController().signal, given = history): AgentContext => ({
  history: given,
  conversation: { sid: turn.conversationSid, channel: "sms", customer: "+15551230001" },
  signal,
});

describe("aiSdkAgent against a local OpenAI-compatible server", () => {
  it("sends instructions, the history and the turn, and returns the model's text", async () => {
    script.push(answer("Sundays 10 to 4."));
    const agent = aiSdkAgent({
      model: model(),
      system: "You are Harbor Bikes' assistant.",
      maxRetries: 0,
    });
    expect(await agent.respond(turn, contextWith())).toEqual({ text: "Sundays 10 to 4." });

    expect(received).toHaveLength(1);
    const body = received[0]!;
    expect(body.model).toBe("test-model");
    const messages = body.messages as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect(messages[0]!.content).toContain("You are Harbor Bikes' assistant.");
    expect(messages.slice(1).map((message) => message.content)).toEqual([
      "when are you open?",
      "Tuesday to Saturday, 9 to 6.",
      "and on Sundays?",
    ]);
    const tools = body.tools as { function: { name: string } }[];
    expect(tools.map((entry) => entry.function.name)).toEqual(["handoff_to_human"]);
  });

  it("turns a handoff_to_human call into a handoff reply", async () => {
    script.push(toolCall("handoff_to_human", { reason: "wants a refund exception" }));
    const agent = aiSdkAgent({ model: model(), maxRetries: 0 });
    expect(await agent.respond(turn, contextWith())).toEqual({
      handoff: { reason: "wants a refund exception" },
    });
  });

  it("runs the app's tools and answers with the final text", async () => {
    const looked: unknown[] = [];
    script.push(
      toolCall("lookup_order", { orderId: "A-17" }),
      answer("Order A-17 ships tomorrow."),
    );
    const agent = aiSdkAgent({
      model: model(),
      handoff: false,
      maxRetries: 0,
      tools: {
        lookup_order: tool({
          description: "Look up an order",
          inputSchema: jsonSchema<{ orderId: string }>({
            type: "object",
            properties: { orderId: { type: "string" } },
            required: ["orderId"],
          }),
          execute: async (input) => {
            looked.push(input);
            return { status: "ships tomorrow" };
          },
        }),
      },
    });
    expect(await agent.respond(turn, contextWith())).toEqual({
      text: "Order A-17 ships tomorrow.",
    });
    expect(looked).toEqual([{ orderId: "A-17" }]);
    expect(received).toHaveLength(2);
    const second = received[1]!.messages as { role: string; content: unknown }[];
    expect(second.at(-1)).toMatchObject({
      role: "tool",
      content: expect.stringContaining("ships tomorrow"),
    });
    expect((received[0]!.tools as unknown[]).length).toBe(1);
  });

  it("bounds the history it sends", async () => {
    script.push(answer("ok"));
    const long: HistoryMessage[] = Array.from({ length: 40 }, (_, position) => ({
      role: position % 2 === 0 ? "customer" : "agent",
      text: `message ${position}`,
      dateCreated: new Date(0),
    }));
    const agent = aiSdkAgent({ model: model(), maxHistory: 4, maxRetries: 0 });
    await agent.respond(turn, contextWith(undefined, long));
    const messages = received[0]!.messages as { role: string; content: string }[];
    expect(messages.slice(1).map((message) => message.content)).toEqual([
      "message 36",
      "message 37",
      "message 38",
      "message 39",
      "and on Sundays?",
    ]);
  });

  it("aborts the HTTP call when the turn's signal aborts", async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    script.push(() => arrived()); // never answers
    const controller = new AbortController();
    const agent = aiSdkAgent({ model: model(), maxRetries: 0 });
    const pending = agent.respond(turn, contextWith(controller.signal));
    await requestArrived;
    controller.abort(new Error("lease lost"));
    await expect(pending).rejects.toThrow();
    await expect.poll(() => closedEarly).toBe(1);
  });

  it("rejects an empty answer as retryable and surfaces server errors", async () => {
    script.push(answer(""));
    const agent = aiSdkAgent({ model: model(), maxRetries: 0 });
    await expect(agent.respond(turn, contextWith())).rejects.toMatchObject({
      code: "empty_model_reply",
      isRetryable: true,
    });
    script.push((_, __, response) =>
      response.writeHead(500, { "content-type": "application/json" }).end("{}"),
    );
    await expect(agent.respond(turn, contextWith())).rejects.toThrow();
    script.push((_, __, response) =>
      response.writeHead(200, { "content-type": "application/json" }).end("{not json"),
    );
    await expect(agent.respond(turn, contextWith())).rejects.toThrow();
  });

  it("validates its options at creation", () => {
    expect(() => aiSdkAgent({} as never)).toThrow(/model/);
    expect(() => aiSdkAgent({ model: model(), maxSteps: 0 })).toThrow(/maxSteps/);
  });
});
