import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCredentials } from "../../src/emulator/credentials.js";
import { killChildren, requireBuiltCli, runCli, startDev, waitFor } from "./run-cli.js";

/**
 * The web chat API on the real wiring (`switchboard dev`: provider → emulator → webhook →
 * mailbox → FAQ agent): a visitor's message is answered; oversized, forged, flooding and
 * closed-conversation input is refused with the documented status.
 */
let dev: Awaited<ReturnType<typeof startDev>>;

beforeAll(requireBuiltCli);
beforeAll(async () => {
  dev = await startDev();
});
afterAll(async () => {
  await dev?.stop();
  killChildren();
});

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${dev.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? {} : JSON.parse(text),
    headers: response.headers,
  };
}

async function session() {
  const created = await post("/webchat/session", {});
  expect(created.status).toBe(201);
  return created.body as { token: string; identity: string; conversationSid: string };
}

describe("web chat API on the real wiring", () => {
  it("a visitor's question is answered by the FAQ agent through the webhook and mailbox", async () => {
    const visitor = await session();
    expect(visitor.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);
    const sent = await post("/webchat/messages", { text: "Do you rent bikes?" }, visitor.token);
    expect(sent.status).toBe(202);
    expect(sent.body.index).toBe(0);
    // The transcript as the console sees it: the visitor's message, then the agent's answer.
    const transcript = await waitFor(
      async () =>
        (await (await fetch(`${dev.url}/api/conversations/${visitor.conversationSid}`)).json()) as {
          conversation: { channel: string };
          messages: { role: string; body: string }[];
        },
      (body) => body.messages?.some((message) => message.role === "agent") ?? false,
    );
    expect(transcript.conversation.channel).toBe("chat");
    expect(transcript.messages[0]).toMatchObject({ role: "customer", body: "Do you rent bikes?" });
    expect(transcript.messages.at(-1)!.body).toMatch(/rent/i);
  });

  it("refuses an oversized message", async () => {
    const visitor = await session();
    const tooLong = await post("/webchat/messages", { text: "a".repeat(2001) }, visitor.token);
    expect(tooLong.status).toBe(400);
    const tooBig = await post("/webchat/messages", { text: "é".repeat(5000) }, visitor.token);
    expect(tooBig.status).toBe(413);
  });

  it("refuses a forged visitor token", async () => {
    const visitor = await session();
    const [payload, signature] = visitor.token.split(".").slice(-2);
    const forgedSignature = `${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BB" : "AA"}`;
    const forged = visitor.token.replace(
      `${payload}.${signature}`,
      `${payload}.${forgedSignature}`,
    );
    expect((await post("/webchat/messages", { text: "hi" }, forged)).status).toBe(401);
    expect((await post("/webchat/messages", { text: "hi" }, "not-a-token")).status).toBe(401);
    expect((await post("/webchat/session", { token: forged })).status).toBe(401);
  });

  it("answers a flood with 429 and Retry-After", async () => {
    const visitor = await session();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let count = 0; count < 8; count += 1) {
      const answer = await post("/webchat/messages", { text: `flood ${count}` }, visitor.token);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get("retry-after");
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it("refuses a message to a closed conversation and starts a new one on the next session", async () => {
    const visitor = await session();
    const credentials = defaultCredentials();
    const close = runCli(["conversations", "close", visitor.conversationSid], {
      env: {
        TWILIO_ACCOUNT_SID: credentials.accountSid,
        TWILIO_AUTH_TOKEN: credentials.authToken,
        TWILIO_CONVERSATIONS_SERVICE_SID: credentials.serviceSid,
        SWITCHBOARD_TWILIO_EMULATOR_URL: dev.emulatorUrl,
      },
    });
    expect(await close.exited).toBe(0);
    const refused = await post("/webchat/messages", { text: "still there?" }, visitor.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conversation_closed");
    const next = await post("/webchat/session", { token: visitor.token });
    expect(next.status).toBe(201);
    expect(next.body.resumed).toBe(false);
    expect(next.body.conversationSid).not.toBe(visitor.conversationSid);
  });
});
