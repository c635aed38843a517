import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  emulatorEnv,
  freePort,
  killChildren,
  requireBuiltCli,
  runCli,
  waitFor,
} from "./run-cli.js";

/**
 * `switchboard serve` answering through a language model chosen by SWITCHBOARD_MODEL alone,
 * no config file: a local OpenAI-compatible stub stands in for the model server (never
 * the network), the emulator for Twilio.
 */
let emulator: Emulator;
let stub: Server;
let stubUrl: string;
let cwd: string;
let port: number;
const requests: { url: string; authorization: string | undefined; body: ChatRequest }[] = [];

interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: { role: string; content: unknown }[];
  tools?: { type: string; function: { name: string } }[];
}

beforeAll(requireBuiltCli);
beforeAll(async () => {
  stub = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequest;
    requests.push({ url: request.url, authorization: request.headers.authorization, body });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1_700_000_000,
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "From the stub model: we're at 14 Quay Street.",
            },
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }),
    );
  });
  stub.listen(0, "127.0.0.1");
  await once(stub, "listening");
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`;
  port = await freePort();
  emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${port}/twilio/webhook` });
  cwd = mkdtempSync(join(tmpdir(), "switchboard-serve-model-"));
});
afterAll(async () => {
  killChildren();
  await emulator?.close();
  stub?.closeAllConnections();
  stub?.close();
  if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
});

const twilioEnv = () => emulatorEnv(emulator);

describe("switchboard serve with SWITCHBOARD_MODEL", () => {
  it("answers a customer through the model, grounded in the knowledge file", async () => {
    const serve = runCli(
      ["serve", "--port", String(port), "--host", "127.0.0.1", "--database", join(cwd, "m.db")],
      {
        cwd,
        env: {
          ...twilioEnv(),
          SWITCHBOARD_MODEL: `openai-compatible:${stubUrl}#stub-model`,
          SWITCHBOARD_MODEL_API_KEY: "local-key",
        },
      },
    );
    await serve.printed(/Press Ctrl\+C/);
    expect(serve.stderr()).toContain(`Agent: openai-compatible:${stubUrl}#stub-model`);

    const customer = emulator.customer({ channel: "sms", address: "+15551230077" });
    await customer.send("where r u?");
    const answered = await waitFor(
      async () => customer.messages(),
      (messages) => messages.length > 0,
    );
    expect(answered[0]!.body).toBe("From the stub model: we're at 14 Quay Street.");

    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent!.body.model).toBe("stub-model");
    expect(sent!.authorization).toBe("Bearer local-key");
    const system = sent!.body.messages.find((message) => message.role === "system");
    expect(String(system?.content)).toContain("Harbor Bikes");
    expect(String(system?.content)).toContain("14 Quay Street");
    expect(JSON.stringify(sent!.body.messages.at(-1))).toContain("where r u?");
    expect(sent!.body.tools?.map((tool) => tool.function.name)).toEqual(["handoff_to_human"]);
    expect(await serve.stop("SIGTERM")).toBe(0);
  }, 30_000);

  it.each([
    [
      { SWITCHBOARD_MODEL: "openai:gpt-4o-mini" },
      [],
      /SWITCHBOARD_MODEL is "openai:gpt-4o-mini", which needs an API key: set OPENAI_API_KEY\./,
    ],
    [{ SWITCHBOARD_MODEL: "anthropic:claude-sonnet-4-5" }, [], /set ANTHROPIC_API_KEY\./],
    [
      {},
      ["--model", "anthropic:claude-sonnet-4-5"],
      /--model is "anthropic:claude-sonnet-4-5", which needs an API key: set ANTHROPIC_API_KEY\./,
    ],
    [
      { SWITCHBOARD_MODEL: "mistral:large" },
      [],
      /SWITCHBOARD_MODEL names the unknown provider "mistral"\. Use openai:<model>/,
    ],
    [{ SWITCHBOARD_MODEL: "gpt-4o" }, [], /SWITCHBOARD_MODEL must name a provider and a model/],
    [{ SWITCHBOARD_MODEL: "openai-compatible:llama3" }, [], /openai-compatible:<base URL>#<model>/],
  ])("refuses %j %j at start with exit 1, naming what to set", async (env, flags, message) => {
    const cli = runCli(["serve", ...flags], { cwd, env: { ...twilioEnv(), ...env } });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).not.toMatch(/^\s+at /m);
  });
});
