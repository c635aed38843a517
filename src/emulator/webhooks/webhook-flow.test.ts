import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookFaultEngine } from "../faults/fault-rule-set.js";
import { type EventContext, messageEventParams } from "./event-params.js";
import type { MessageRecord } from "./rest-records.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhook-dispatcher.js";
import { resolveWebhookTargets, type WebhookTargetSources } from "./webhook-targets.js";

/**
 * The whole path as a switchboard user meets it: an Express app guarded by the official
 * `twilio.webhook()` middleware (which answers 403 to any bad signature) receives the
 * emulator's pre- and post-events; a pre-hook rejection means nothing is stored.
 */
const authToken = "flow-test-token";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface Seen {
  path: string;
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
}

async function startApp(failFirst = 0) {
  const seen: Seen[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const guard = twilio.webhook(authToken);
  const remember = (request: express.Request) =>
    seen.push({
      path: request.path,
      method: request.method,
      params: request.method === "GET" ? { ...request.query } : { ...request.body },
      token: request.header("I-Twilio-Idempotency-Token"),
    });
  app.post("/pre", guard, (request, response) => {
    remember(request);
    if (String(request.body.Body).includes("spam")) response.status(403).end();
    else if (String(request.body.Body).includes("secret")) response.json({ body: "[redacted]" });
    else response.status(200).end();
  });
  let failures = failFirst;
  app.all("/post", guard, (request, response) => {
    remember(request);
    if (failures-- > 0) response.status(500).end();
    else response.status(204).end();
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const context: EventContext = {
  accountSid: "AC00000000000000000000000000000000",
  chatServiceSid: "IS00000000000000000000000000000000",
  source: "SMS",
};

function draft(body: string, index: number): MessageRecord {
  return {
    sid: `IM${String(index).padStart(32, "0")}`,
    account_sid: context.accountSid,
    conversation_sid: "CH00000000000000000000000000000001",
    index,
    author: "+15551230001",
    body,
    media: null,
    attributes: "{}",
    participant_sid: "MB00000000000000000000000000000001",
    date_created: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    date_updated: null,
  };
}

/** A miniature of the emulator's message-create path, as the index.ts wiring describes. */
async function createMessage(
  dispatcher: WebhookDispatcher,
  sources: WebhookTargetSources,
  store: MessageRecord[],
  message: MessageRecord,
) {
  const pre = await dispatcher.deliverPre(
    resolveWebhookTargets("onMessageAdd", sources),
    messageEventParams("onMessageAdd", message, context),
  );
  if (pre.outcome === "reject") return pre;
  const stored =
    pre.outcome === "modify" && typeof pre.changes.body === "string"
      ? { ...message, body: pre.changes.body }
      : message;
  store.push(stored);
  void dispatcher.deliverPost(
    resolveWebhookTargets("onMessageAdded", sources),
    messageEventParams("onMessageAdded", stored, context),
  );
  return pre;
}

describe("webhooks through the official twilio.webhook() middleware", () => {
  it("accepts every delivery; a rejecting pre-hook stores nothing and fires no post-event", async () => {
    const { seen, base } = await startApp();
    const dispatcher = createWebhookDispatcher({ authToken, backoff: () => 5 });
    closers.push(() => dispatcher.close());
    const sources: WebhookTargetSources = {
      service: {
        method: "POST",
        filters: ["onMessageAdd", "onMessageAdded"],
        pre_webhook_url: `${base}/pre`,
        post_webhook_url: `${base}/post`,
      },
      conversationWebhooks: [
        {
          sid: "WH00000000000000000000000000000001",
          target: "webhook",
          configuration: { url: `${base}/post?bot=1`, method: "get", filters: ["onMessageAdded"] },
        },
      ],
    };
    const store: MessageRecord[] = [];
    expect(await createMessage(dispatcher, sources, store, draft("hello", 0))).toEqual({
      outcome: "proceed",
    });
    expect(await createMessage(dispatcher, sources, store, draft("buy spam now", 1))).toMatchObject(
      {
        outcome: "reject",
        status: 403,
      },
    );
    expect(await createMessage(dispatcher, sources, store, draft("my secret", 2))).toMatchObject({
      outcome: "modify",
    });
    await dispatcher.idle();

    expect(store.map((message) => message.body)).toEqual(["hello", "[redacted]"]);
    // No delivery was refused by the official middleware (it would answer 403 to a bad signature).
    const deliveries = dispatcher.log.entries();
    expect(
      deliveries
        .filter((entry) => entry.outcome !== "reject")
        .every((entry) => entry.status !== 403),
    ).toBe(true);
    expect(
      deliveries.filter((entry) => entry.event === "onMessageAdded").map((entry) => entry.status),
    ).toEqual([204, 204, 204, 204]);
    const posted = seen.filter((request) => request.path === "/post");
    expect(posted.map((request) => request.params.Body).sort()).toEqual([
      "[redacted]",
      "[redacted]",
      "hello",
      "hello",
    ]);
    expect(
      posted
        .filter((request) => request.method === "GET")
        .map((request) => request.params.WebhookSid),
    ).toEqual(["WH00000000000000000000000000000001", "WH00000000000000000000000000000001"]);
  });

  it("keeps one idempotency token through retries and duplicates, every attempt validly signed", async () => {
    const { seen, base } = await startApp(2);
    const faults = createWebhookFaultEngine();
    faults.add({ match: { event: "onMessageAdded" }, fault: { kind: "duplicate" }, times: 1 });
    const dispatcher = createWebhookDispatcher({ authToken, backoff: () => 5, faults });
    closers.push(() => dispatcher.close());
    await dispatcher.deliverPost(
      [{ url: `${base}/post`, method: "POST", level: "service" }],
      messageEventParams("onMessageAdded", draft("hello", 0), context),
    );
    expect(seen.map((request) => request.params.RetryCount)).toEqual(["0", "1", "2", "0"]);
    expect(new Set(seen.map((request) => request.token)).size).toBe(1);
    expect(dispatcher.log.entries().map((entry) => [entry.status, entry.attempts])).toEqual([
      [204, 3],
      [204, 1],
    ]);
  });
});
