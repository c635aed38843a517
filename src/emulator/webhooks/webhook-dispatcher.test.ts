import twilio from "twilio";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWebhookFaultEngine } from "../faults/fault-rule-set.js";
import type { WebhookParams } from "./event-params.js";
import {
  type ReceivedWebhook,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./start-webhook-receiver.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhook-dispatcher.js";
import type { WebhookTarget } from "./webhook-targets.js";

const authToken = "dispatcher-test-token";
const open: Array<WebhookReceiver | WebhookDispatcher> = [];

afterEach(async () => {
  for (const each of open.splice(0)) await each.close();
});

async function receiver(answer?: (request: ReceivedWebhook, count: number) => ReceiverAnswer) {
  const started = await startWebhookReceiver(answer);
  open.push(started);
  return started;
}

function dispatcher(options: Partial<Parameters<typeof createWebhookDispatcher>[0]> = {}) {
  const created = createWebhookDispatcher({ authToken, backoff: () => 5, ...options });
  open.push(created);
  return created;
}

function post(url: string, level: WebhookTarget["level"] = "service"): WebhookTarget {
  return { url, method: "POST", level };
}

const params = (extra: WebhookParams = {}): WebhookParams => ({
  AccountSid: "AC00000000000000000000000000000000",
  EventType: "onMessageAdded",
  ChatServiceSid: "IS00000000000000000000000000000000",
  ConversationSid: "CH00000000000000000000000000000001",
  MessageSid: "IM00000000000000000000000000000002",
  Index: "0",
  Body: "Hello & welcome, ünïcode + spaces",
  Author: "+15551230001",
  Source: "SMS",
  RetryCount: "0",
  ...extra,
});

function signatureValid(request: ReceivedWebhook): boolean {
  const signature = request.headers["x-twilio-signature"];
  if (typeof signature !== "string") return false;
  const formParams = request.method === "GET" ? {} : request.params;
  return twilio.validateRequest(authToken, signature, request.url, formParams);
}

describe("createWebhookDispatcher — post-events", () => {
  it("sends a signed form POST with Twilio's headers, accepted by the official validator", async () => {
    const hook = await receiver();
    const webhooks = dispatcher();
    await webhooks.deliverPost([post(`${hook.url}/hook?tenant=a`)], params());

    expect(hook.received).toHaveLength(1);
    const [request] = hook.received;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers["user-agent"]).toBe("TwilioProxy/1.1");
    expect(request?.headers["i-twilio-idempotency-token"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.params).toEqual(params());
    expect(signatureValid(request!)).toBe(true);
    // A forged copy (one field changed) fails the same check.
    expect(
      twilio.validateRequest(
        authToken,
        String(request?.headers["x-twilio-signature"]),
        request!.url,
        {
          ...request!.params,
          Body: "forged",
        },
      ),
    ).toBe(false);

    const [entry] = webhooks.log.entries();
    expect(entry).toMatchObject({
      url: `${hook.url}/hook?tenant=a`,
      event: "onMessageAdded",
      level: "service",
      status: 200,
      attempts: 1,
      faults: [],
    });
    expect(entry?.idempotencyToken).toBe(request?.headers["i-twilio-idempotency-token"]);
  });

  it("retries a failing receiver with the same idempotency token and a rising RetryCount", async () => {
    const hook = await receiver((_, count) => ({ status: count < 2 ? 500 : 200 }));
    const webhooks = dispatcher({ retries: 3 });
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params());

    expect(hook.received.map((request) => request.params.RetryCount)).toEqual(["0", "1", "2"]);
    const tokens = new Set(
      hook.received.map((request) => request.headers["i-twilio-idempotency-token"]),
    );
    expect(tokens.size).toBe(1);
    for (const request of hook.received) expect(signatureValid(request)).toBe(true);
    expect(webhooks.log.entries()).toMatchObject([{ status: 200, attempts: 3 }]);
  });

  it("gives up after the configured retries and logs the last status", async () => {
    const hook = await receiver(() => ({ status: 503 }));
    const webhooks = dispatcher({ retries: 2 });
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params());
    expect(hook.received).toHaveLength(3);
    expect(webhooks.log.entries()).toMatchObject([{ status: 503, attempts: 3 }]);
  });

  it("treats a slow answer as a timeout and retries", async () => {
    const hook = await receiver((_, count) => (count === 0 ? { delayMs: 3000 } : {}));
    const webhooks = dispatcher({ timeoutMs: 400 });
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params());
    expect(hook.received.map((request) => request.params.RetryCount)).toEqual(["0", "1"]);
    expect(webhooks.log.entries()).toMatchObject([{ status: 200, attempts: 2 }]);
  });

  it("logs a connection failure as an error", async () => {
    const hook = await receiver();
    const url = `${hook.url}/gone`;
    await hook.close();
    const webhooks = dispatcher({ retries: 1 });
    await webhooks.deliverPost([post(url)], params());
    expect(webhooks.log.entries()).toMatchObject([{ status: "error", attempts: 2 }]);
  });

  it("sends GET deliveries with the parameters in a signed query", async () => {
    const hook = await receiver();
    const webhooks = dispatcher();
    await webhooks.deliverPost(
      [
        {
          url: `${hook.url}/get-hook?existing=1`,
          method: "GET",
          level: "conversation",
          webhookSid: "WH00000000000000000000000000000003",
          webhookType: "webhook",
        },
      ],
      params(),
    );
    const [request] = hook.received;
    expect(request?.method).toBe("GET");
    expect(request?.rawBody).toBe("");
    expect(request?.params).toEqual({
      existing: "1",
      ...params(),
      WebhookSid: "WH00000000000000000000000000000003",
      WebhookType: "webhook",
    });
    expect(signatureValid(request!)).toBe(true);
  });

  it("delivers to every target with its own token and resolves idle() when all are done", async () => {
    const first = await receiver();
    const second = await receiver(() => ({ status: 500 }));
    const webhooks = dispatcher({ retries: 1 });
    void webhooks.deliverPost(
      [post(`${first.url}/a`, "account"), post(`${second.url}/b`)],
      params(),
    );
    await webhooks.idle();
    expect(first.received).toHaveLength(1);
    expect(second.received).toHaveLength(2);
    const entries = webhooks.log.entries();
    expect(entries.map((entry) => entry.level)).toEqual(["account", "service"]);
    expect(entries[0]?.idempotencyToken).not.toBe(entries[1]?.idempotencyToken);
  });

  it("stops pending retries on close", async () => {
    const hook = await receiver(() => ({ status: 500 }));
    const webhooks = createWebhookDispatcher({ authToken, retries: 5, backoff: () => 60_000 });
    const done = webhooks.deliverPost([post(`${hook.url}/hook`)], params());
    while (hook.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await webhooks.close();
    await done;
    expect(hook.received).toHaveLength(1);
  });

  it("caps the delivery log", async () => {
    const hook = await receiver();
    const { createWebhookDeliveryLog } = await import("./webhook-delivery-log.js");
    const webhooks = dispatcher({ log: createWebhookDeliveryLog(2) });
    for (const index of ["0", "1", "2"])
      await webhooks.deliverPost([post(`${hook.url}/hook`)], params({ Index: index }));
    expect(webhooks.log.entries().map((entry) => entry.id)).toEqual(["WD2", "WD3"]);
  });

  it("refuses a missing auth token or a negative retry count", () => {
    expect(() => createWebhookDispatcher({ authToken: "" })).toThrow(/authToken/);
    expect(() => createWebhookDispatcher({ authToken, retries: -1 })).toThrow(/retries/);
  });
});

describe("createWebhookDispatcher — pre-events", () => {
  const pre = params({ EventType: "onMessageAdd" });

  it("proceeds on 2xx with an empty body or {}", async () => {
    const hook = await receiver((_, count) => ({ body: count === 0 ? "" : "{}" }));
    const webhooks = dispatcher();
    expect(await webhooks.deliverPre([post(`${hook.url}/pre`)], pre)).toEqual({
      outcome: "proceed",
    });
    expect(await webhooks.deliverPre([post(`${hook.url}/pre`)], pre)).toEqual({
      outcome: "proceed",
    });
    for (const request of hook.received) expect(signatureValid(request)).toBe(true);
  });

  it("modifies the action with the snake_case changes a 2xx JSON answer carries", async () => {
    const hook = await receiver(() => ({
      body: JSON.stringify({ body: "[redacted]", attributes: '{"checked":true}' }),
    }));
    const webhooks = dispatcher();
    expect(await webhooks.deliverPre([post(`${hook.url}/pre`)], pre)).toEqual({
      outcome: "modify",
      changes: { body: "[redacted]", attributes: '{"checked":true}' },
    });
    expect(webhooks.log.entries()).toMatchObject([{ outcome: "modify", status: 200 }]);
  });

  it("rejects on a non-2xx answer, without retrying and without asking later targets", async () => {
    const rejecting = await receiver(() => ({ status: 403, body: '{"reason":"spam"}' }));
    const later = await receiver();
    const webhooks = dispatcher({ retries: 3 });
    const outcome = await webhooks.deliverPre(
      [post(`${rejecting.url}/pre`, "account"), post(`${later.url}/pre`)],
      pre,
    );
    expect(outcome).toEqual({
      outcome: "reject",
      status: 403,
      body: '{"reason":"spam"}',
      url: `${rejecting.url}/pre`,
    });
    expect(rejecting.received).toHaveLength(1);
    expect(later.received).toHaveLength(0);
  });

  it("proceeds unmodified when the receiver does not answer in time", async () => {
    const hook = await receiver(() => ({ delayMs: 3000, body: '{"body":"too late"}' }));
    const webhooks = dispatcher({ timeoutMs: 400 });
    expect(await webhooks.deliverPre([post(`${hook.url}/pre`)], pre)).toEqual({
      outcome: "proceed",
    });
    expect(hook.received).toHaveLength(1);
    expect(webhooks.log.entries()).toMatchObject([{ status: "timeout", outcome: "proceed" }]);
  });

  it("ignores a 2xx answer that is not a JSON object, or too large to read whole", async () => {
    const answers = ["OK", "[1,2]", "42", "null", JSON.stringify({ body: "x".repeat(100_000) })];
    const hook = await receiver((_, count) => ({ body: answers[count] ?? "" }));
    const webhooks = dispatcher();
    for (const _ of answers)
      expect(await webhooks.deliverPre([post(`${hook.url}/pre`)], pre)).toEqual({
        outcome: "proceed",
      });
    expect(hook.received).toHaveLength(answers.length);
  });

  it("proceeds when the pre-event URL cannot be reached or parsed", async () => {
    const webhooks = dispatcher();
    const outcome = await webhooks.deliverPre(
      [post("not a url"), post("http://127.0.0.1:1/pre")],
      pre,
    );
    expect(outcome).toEqual({ outcome: "proceed" });
    expect(webhooks.log.entries().map((entry) => entry.status)).toEqual(["error", "error"]);
  });
});

describe("createWebhookDispatcher — delivery faults", () => {
  it("duplicates a delivery with the same idempotency token", async () => {
    const hook = await receiver();
    const faults = createWebhookFaultEngine();
    faults.add({ match: { event: "onMessageAdded" }, fault: { kind: "duplicate" }, times: 1 });
    const webhooks = dispatcher({ faults });
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params());
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params({ Index: "1" }));

    expect(hook.received.map((request) => request.params.Index)).toEqual(["0", "0", "1"]);
    const [first, copy] = hook.received;
    expect(copy?.headers["i-twilio-idempotency-token"]).toBe(
      first?.headers["i-twilio-idempotency-token"],
    );
    expect(signatureValid(copy!)).toBe(true);
    expect(webhooks.log.entries().map((entry) => entry.faults)).toEqual([
      ["duplicate"],
      ["duplicate"],
      [],
    ]);
  });

  it("delays a delivery so a later event overtakes it", async () => {
    const hook = await receiver();
    const faults = createWebhookFaultEngine();
    faults.add({ match: { event: "onMessageAdded" }, fault: { kind: "delay", delayMs: 300 } });
    // The delay is held until released, so no timing decides the order under load.
    const held: Array<{ ms: number; release: () => void }> = [];
    const sleep = (ms: number) =>
      new Promise<void>((release) => {
        held.push({ ms, release });
      });
    const webhooks = dispatcher({ faults, sleep });
    const delayed = webhooks.deliverPost([post(`${hook.url}/hook`)], params());
    await webhooks.deliverPost(
      [post(`${hook.url}/hook`)],
      params({ EventType: "onConversationUpdated" }),
    );
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5000 });
    expect(held[0]!.ms).toBe(300);
    expect(hook.received.map((request) => request.params.EventType)).toEqual([
      "onConversationUpdated",
    ]);
    held[0]!.release();
    await delayed;
    await webhooks.idle();
    expect(hook.received.map((request) => request.params.EventType)).toEqual([
      "onConversationUpdated",
      "onMessageAdded",
    ]);
  });

  it("reorders held deliveries in reverse", async () => {
    const hook = await receiver();
    const faults = createWebhookFaultEngine();
    faults.add({
      match: { url: "/ordered" },
      fault: { kind: "reorder", count: 3, order: "reverse", holdMs: 10_000 },
      times: 3,
    });
    const webhooks = dispatcher({ faults });
    for (const index of ["0", "1", "2"])
      void webhooks.deliverPost([post(`${hook.url}/ordered`)], params({ Index: index }));
    await webhooks.idle();
    expect(hook.received.map((request) => request.params.Index)).toEqual(["2", "1", "0"]);
    expect(webhooks.log.entries().every((entry) => entry.faults.includes("reorder"))).toBe(true);
  });

  it("shuffles held deliveries with the injected random, and releases a short batch after holdMs", async () => {
    const hook = await receiver();
    const faults = createWebhookFaultEngine();
    faults.add({ match: {}, fault: { kind: "reorder", count: 3, order: "shuffle", holdMs: 50 } });
    // random() = 0 swaps each position with the first: [0,1,2] → [1,2,0].
    const webhooks = dispatcher({ faults, random: () => 0 });
    for (const index of ["0", "1", "2"])
      void webhooks.deliverPost([post(`${hook.url}/any`)], params({ Index: index }));
    await webhooks.idle();
    expect(hook.received.map((request) => request.params.Index)).toEqual(["1", "2", "0"]);

    void webhooks.deliverPost([post(`${hook.url}/any`)], params({ Index: "3" }));
    await webhooks.idle();
    expect(hook.received.map((request) => request.params.Index)).toEqual(["1", "2", "0", "3"]);
  });

  it("applies a rule only at its rate, using the injected random", async () => {
    const hook = await receiver();
    const draws = [0.9, 0.1];
    const faults = createWebhookFaultEngine({ random: () => draws.shift() ?? 1 });
    faults.add({ match: {}, fault: { kind: "duplicate" }, rate: 0.5 });
    const webhooks = dispatcher({ faults });
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params({ Index: "0" }));
    await webhooks.deliverPost([post(`${hook.url}/hook`)], params({ Index: "1" }));
    expect(hook.received.map((request) => request.params.Index)).toEqual(["0", "1", "1"]);
  });
});
