import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { type Emulator, EmulatorRequestClient, startEmulator } from "../../emulator/index.js";
import { AmbiguousSendError, SendDeadlineError } from "../errors.js";
import { InvalidInputError } from "./provider-errors.js";
import type { RequestPacer } from "./request-pacer.js";
import { type FaultProxy, startFaultProxy } from "./test-support/fault-proxy.js";
import { TwilioProvider } from "./twilio-provider.js";

/**
 * A bounded send (`timeoutMs`): by its deadline the message has reached Twilio or never will,
 * which is what lets another instance look for a lapsed sender's reply without racing it.
 */
let emulator: Emulator;
let proxy: FaultProxy | undefined;
let conversationSid: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  emulator.reset();
  const conversation = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations.create({ friendlyName: "bounded" });
  conversationSid = conversation.sid;
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function provider(url: string, pacer?: RequestPacer): TwilioProvider {
  return new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: new EmulatorRequestClient(url),
    resilience: { initialDelayMs: 1, maxDelayMs: 5 },
    ...(pacer === undefined ? {} : { pacer }),
  });
}

async function creates(): Promise<number> {
  const messages = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(conversationSid)
    .messages.list();
  return messages.length;
}

it("cuts a request in flight off at the bound, as an ambiguous send", async () => {
  // Twilio takes the message and never answers: without the bound this waits 30 s.
  proxy = await startFaultProxy(emulator.url, (request) =>
    request.method === "POST" && request.path.endsWith("/Messages")
      ? { kind: "commitThenHold" }
      : { kind: "forward" },
  );
  const sending = provider(proxy.url).sendMessage(conversationSid, {
    content: "held",
    timeoutMs: 300,
  });
  await expect(sending).rejects.toBeInstanceOf(AmbiguousSendError);
  expect(await creates()).toBe(1);
});

it("starts no request once the bound has passed (pacer waits count): nothing is sent", async () => {
  let paced = 0;
  const slowPacer: RequestPacer = {
    async acquire() {
      paced += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
  };
  const sending = provider(emulator.url, slowPacer).sendMessage(conversationSid, {
    content: "too late",
    timeoutMs: 50,
  });
  await expect(sending).rejects.toMatchObject({ code: "send_deadline", isRetryable: true });
  expect(paced).toBeGreaterThan(0);
  expect(await creates()).toBe(0);
  // Unbounded, the same provider sends.
  await provider(emulator.url, slowPacer).sendMessage(conversationSid, { content: "unbounded" });
  expect(await creates()).toBe(1);
});

it("refuses a bound that is not a positive number, sending nothing", async () => {
  for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
    await expect(
      provider(emulator.url).sendMessage(conversationSid, { content: "x", timeoutMs }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  expect(await creates()).toBe(0);
});

it("fails at once when a 429's Retry-After would pass the bound: nothing was sent", async () => {
  await throttleNextSend(2);
  const started = Date.now();
  const error = await provider(emulator.url)
    .sendMessage(conversationSid, { content: "throttled", timeoutMs: 500 })
    .catch((caught: unknown) => caught);
  // Waiting out the 2 s would only have ended the same way, 2 s later.
  expect(Date.now() - started).toBeLessThan(400);
  expect(error).toBeInstanceOf(SendDeadlineError);
  expect(error).toMatchObject({ code: "send_deadline", retryAfterMs: 2000, isRetryable: true });
  expect(await creates()).toBe(0);

  // A Retry-After that fits in the bound is still waited out.
  await throttleNextSend(1);
  const sent = await provider(emulator.url).sendMessage(conversationSid, {
    content: "after the wait",
    timeoutMs: 3000,
  });
  expect(sent.content).toBe("after the wait");
  expect(await creates()).toBe(1);
});

/** The emulator's REST fault injection: the next message create answers 429 with Retry-After. */
async function throttleNextSend(retryAfterSeconds: number): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      match: { method: "POST", path: "/Messages" },
      fault: { status: 429, code: 20429, retryAfter: retryAfterSeconds },
      times: 1,
    }),
  });
  expect(response.status).toBe(201);
}
