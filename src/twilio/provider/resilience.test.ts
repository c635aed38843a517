import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Emulator, EmulatorRequestClient, startEmulator } from "../../emulator/index.js";
import {
  AmbiguousSendError,
  CircuitOpenError,
  RateLimitedError,
  TwilioApiError,
} from "../errors.js";
import type { PacingRequest, RequestPacer } from "./request-pacer.js";
import type { ResilienceOptions, RetryEvent } from "./resilient-request-client.js";
import { type FaultProxy, type ProxyAnswer, startFaultProxy } from "./test-support/fault-proxy.js";
import { TwilioProvider, type TwilioProviderConfig } from "./twilio-provider.js";

let emulator: Emulator;
let proxy: FaultProxy | undefined;
let conversationSid: string;
let retries: RetryEvent[];
let warnings: Record<string, unknown>[];

const forward: ProxyAnswer = { kind: "forward" };
const isMessageCreate = (request: { method: string; path: string }) =>
  request.method === "POST" && request.path.endsWith("/Messages");

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  emulator.reset();
  retries = [];
  warnings = [];
  const conversation = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations.create({ friendlyName: "resilience" });
  conversationSid = conversation.sid;
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function providerVia(
  httpClient: EmulatorRequestClient,
  resilience: ResilienceOptions = {},
  extra: Partial<TwilioProviderConfig> = {},
): TwilioProvider {
  return new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient,
    resilience: {
      initialDelayMs: 1,
      maxDelayMs: 5,
      onRetry: (event) => retries.push(event),
      ...resilience,
    },
    logger: {
      debug: () => {},
      info: () => {},
      warn: (fields) => warnings.push(fields),
      error: () => {},
    },
    ...extra,
  });
}

async function throughProxy(
  decide: (request: { method: string; path: string; number: number }) => ProxyAnswer,
  resilience: ResilienceOptions = {},
  options: { holdMs?: number } = {},
): Promise<TwilioProvider> {
  proxy = await startFaultProxy(emulator.url, decide, options);
  return providerVia(new EmulatorRequestClient(proxy.url), resilience);
}

async function storedMessages(): Promise<string[]> {
  const messages = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(conversationSid)
    .messages.list();
  return messages.map((message) => message.body);
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("429", () => {
  it("is retried after the Retry-After the answer asked for", async () => {
    let seen = 0;
    const provider = await throughProxy((request) => {
      if (!isMessageCreate(request)) return forward;
      seen += 1;
      return seen === 1 ? { kind: "status", status: 429, code: 20429, retryAfter: "0.2" } : forward;
    });
    const sent = await provider.sendMessage(conversationSid, { content: "after a 429" });
    expect(sent.content).toBe("after a 429");
    expect(seen).toBe(2);
    expect(await storedMessages()).toEqual(["after a 429"]);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ method: "POST", reason: "429", attempt: 1 });
    // Honoured: the backoff alone (≤ 5 ms here) would have been far shorter.
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(200);
    expect(warnings).toEqual([
      expect.objectContaining({
        method: "POST",
        path: `/v1/Services/${emulator.serviceSid}/Conversations/${conversationSid}/Messages`,
        reason: "429",
      }),
    ]);
  });

  it("gives up after maxAttempts with RateLimitedError", async () => {
    const provider = await throughProxy(
      (request) =>
        isMessageCreate(request) ? { kind: "status", status: 429, code: 50063 } : forward,
      { maxAttempts: 3 },
    );
    const error = await provider
      .sendMessage(conversationSid, { content: "never" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: "rate_limited", twilioCode: 50063, isRetryable: true });
    expect(proxy?.requests.filter(isMessageCreate)).toHaveLength(3);
    expect(await storedMessages()).toEqual([]);
  });

  it("does not wait out a Retry-After longer than maxRetryAfterMs; says how long instead", async () => {
    const provider = await throughProxy((request) =>
      isMessageCreate(request)
        ? { kind: "status", status: 429, code: 20429, retryAfter: "120" }
        : forward,
    );
    const error = await provider
      .sendMessage(conversationSid, { content: "later" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect(proxy?.requests.filter(isMessageCreate)).toHaveLength(1);
  });
});

describe("connection errors", () => {
  it("retries a request refused before it was sent", async () => {
    const refused = new EmulatorRequestClient(await closedPortUrl());
    let calls = 0;
    class FirstCallRefused extends EmulatorRequestClient {
      override request<TData>(
        options: Parameters<EmulatorRequestClient["request"]>[0] & { data?: TData },
      ) {
        calls += 1;
        return calls === 1 ? refused.request<TData>(options) : super.request<TData>(options);
      }
    }
    const provider = providerVia(new FirstCallRefused(emulator.url));
    await expect(
      provider.sendMessage(conversationSid, { content: "second try" }),
    ).resolves.toMatchObject({
      content: "second try",
    });
    expect(retries.map((event) => event.reason)).toEqual(["ECONNREFUSED"]);
    expect(await storedMessages()).toEqual(["second try"]);
  });

  it("never repeats a create whose connection broke after sending: AmbiguousSendError", async () => {
    const provider = await throughProxy((request) =>
      isMessageCreate(request) ? { kind: "commitThenReset" } : forward,
    );
    const error = await provider
      .sendMessage(conversationSid, { content: "maybe", attributes: { replyId: "r-7" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousSendError);
    expect((error as AmbiguousSendError).attempt).toMatchObject({
      operation: "messages.create",
      conversationSid,
    });
    expect(proxy?.requests.filter(isMessageCreate)).toHaveLength(1);
    expect(await storedMessages()).toEqual(["maybe"]);
  });
});

describe("timeout", () => {
  it("after a create was sent throws AmbiguousSendError and sends nothing twice", async () => {
    proxy = await startFaultProxy(emulator.url, (request) =>
      isMessageCreate(request) ? { kind: "commitThenHold" } : forward,
    );
    // The proxy never answers the create, so this short timeout always ends it.
    const provider = providerVia(new EmulatorRequestClient(proxy.url, { timeout: 300 }));
    const error = await provider
      .sendMessage(conversationSid, { content: "timed out", attributes: { replyId: "r-2" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousSendError);
    expect(error).toMatchObject({ code: "ambiguous_send", isRetryable: false });
    expect(proxy.requests.filter(isMessageCreate)).toHaveLength(1);
    expect(retries).toEqual([]);
    // Under load the proxy may still be forwarding when the caller gives up.
    await vi.waitFor(async () => expect(await storedMessages()).toEqual(["timed out"]), {
      timeout: 5000,
    });
  });
});

describe("5xx", () => {
  it("on a create throws AmbiguousSendError and sends nothing twice", async () => {
    const provider = await throughProxy((request) =>
      isMessageCreate(request) ? { kind: "commitThenStatus", status: 500, code: 20500 } : forward,
    );
    const error = await provider
      .sendMessage(conversationSid, { content: "once only", attributes: { replyId: "r-1" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousSendError);
    expect(error).toMatchObject({ code: "ambiguous_send", status: 500, isRetryable: false });
    expect((error as AmbiguousSendError).attempt.payload).toMatchObject({
      attributes: '{"replyId":"r-1"}',
    });
    expect(proxy?.requests.filter(isMessageCreate)).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(await storedMessages()).toEqual(["once only"]);
  });

  it("on a read is retried", async () => {
    let gets = 0;
    const provider = await throughProxy((request) => {
      if (request.method !== "GET") return forward;
      gets += 1;
      return gets === 1 ? { kind: "status", status: 503 } : forward;
    });
    await expect(provider.getConversation(conversationSid)).resolves.toMatchObject({
      id: conversationSid,
    });
    expect(gets).toBe(2);
    expect(retries.map((event) => event.reason)).toEqual(["503"]);
  });
});

describe("circuit breaker", () => {
  it("opens after consecutive outages and then fails fast without calling Twilio", async () => {
    const provider = await throughProxy(() => ({ kind: "status", status: 503 }), {
      maxAttempts: 1,
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
    });
    for (let index = 0; index < 3; index += 1) {
      const error = await provider
        .getConversation(conversationSid)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TwilioApiError);
      expect(error).toMatchObject({ code: "twilio_unavailable", isRetryable: true });
    }
    const seenBefore = proxy?.requests.length;
    const fast = await provider.getConversation(conversationSid).catch((caught: unknown) => caught);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast).toMatchObject({ code: "circuit_open", isRetryable: true });
    expect(proxy?.requests.length).toBe(seenBefore);
  });

  it("does not count 4xx answers as an outage", async () => {
    const provider = await throughProxy(() => forward, {
      maxAttempts: 1,
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    for (let index = 0; index < 4; index += 1)
      await expect(provider.getConversation(`CH${"0".repeat(32)}`)).rejects.toMatchObject({
        code: "not_found",
      });
    await expect(provider.getConversation(conversationSid)).resolves.toMatchObject({
      id: conversationSid,
    });
  });
});

describe("pacing", () => {
  it("caps concurrent requests at maxConcurrentRequests", async () => {
    const capped = await throughProxy(() => forward, { maxConcurrentRequests: 2 }, { holdMs: 25 });
    await Promise.all(Array.from({ length: 8 }, () => capped.getConversation(conversationSid)));
    expect(proxy?.maxInFlight()).toBe(2);
    await proxy?.close();

    // The same burst without the cap overlaps further, so the measurement can tell.
    const uncapped = await throughProxy(
      () => forward,
      { maxConcurrentRequests: 8 },
      { holdMs: 25 },
    );
    await Promise.all(Array.from({ length: 8 }, () => uncapped.getConversation(conversationSid)));
    expect(proxy?.maxInFlight()).toBeGreaterThan(2);
  });

  it("asks the pacer before every write: per conversation, per service for creates, never for reads", async () => {
    const asked: PacingRequest[] = [];
    const pacer: RequestPacer = {
      acquire: async (request) => {
        asked.push(request);
      },
    };
    const provider = providerVia(emulator.httpClient(), {}, { pacer });
    const conversation = await provider.createConversation({ friendlyName: "paced" });
    await provider.addParticipant(conversation.id, { chat: "dana" });
    await provider.sendMessage(conversation.id, { content: "hi" });
    await provider.getConversation(conversation.id);
    for await (const _message of provider.listMessages(conversation.id)) {
      // reads are not paced
    }
    await provider.closeConversation(conversation.id);
    expect(asked).toEqual([
      { scope: "service", key: emulator.serviceSid },
      { scope: "conversation", key: conversation.id },
      { scope: "conversation", key: conversation.id },
      { scope: "conversation", key: conversation.id },
    ]);
  });

  it("applies the per-sender budget to each of the conversation's proxy numbers", async () => {
    const asked: PacingRequest[] = [];
    const pacer: RequestPacer = {
      acquire: async (request) => {
        asked.push(request);
      },
    };
    const provider = providerVia(
      emulator.httpClient(),
      {},
      { pacer, senderBudget: { messagesPerSecond: 1 } },
    );
    await provider.addParticipant(conversationSid, {
      sms: "+15551230001",
      proxyAddress: "+15559870000",
    });
    await provider.sendMessage(conversationSid, { content: "budgeted" });
    expect(asked.filter((request) => request.scope === "sender")).toEqual([
      { scope: "sender", key: "+15559870000" },
    ]);
  });
});
