import { describe, expect, it } from "vitest";
import { isPreEventType, isWebhookEventType, restActionFiresWebhooks } from "./event-types.js";
import { type ConversationWebhookRecord, resolveWebhookTargets } from "./webhook-targets.js";

const account = {
  method: "POST" as const,
  filters: ["onMessageAdd", "onMessageAdded"],
  pre_webhook_url: "https://account.example/pre",
  post_webhook_url: "https://account.example/post",
  target: "webhook" as const,
};
const service = {
  method: "GET" as const,
  filters: ["onMessageAdded", "onConversationAdd"],
  pre_webhook_url: "https://service.example/pre",
  post_webhook_url: "https://service.example/post",
};
const bot: ConversationWebhookRecord = {
  sid: "WH00000000000000000000000000000001",
  target: "webhook",
  configuration: { url: "https://bot.example/hook", method: "get", filters: ["onMessageAdded"] },
};

describe("resolveWebhookTargets", () => {
  it("sends pre-events only to filtered pre URLs", () => {
    expect(resolveWebhookTargets("onMessageAdd", { account, conversationWebhooks: [bot] })).toEqual(
      [{ url: "https://account.example/pre", method: "POST", level: "account" }],
    );
    expect(resolveWebhookTargets("onConversationAdd", { account, service })).toEqual([
      { url: "https://service.example/pre", method: "GET", level: "service" },
    ]);
  });

  it("sends post-events to post URLs and conversation-scoped webhooks, in level order", () => {
    expect(
      resolveWebhookTargets("onMessageAdded", { account, service, conversationWebhooks: [bot] }),
    ).toEqual([
      { url: "https://service.example/post", method: "GET", level: "service" },
      {
        url: "https://bot.example/hook",
        method: "GET",
        level: "conversation",
        webhookSid: bot.sid,
        webhookType: "webhook",
      },
    ]);
    expect(
      resolveWebhookTargets("onMessageAdded", { account, conversationWebhooks: [bot] }),
    ).toEqual([
      { url: "https://account.example/post", method: "POST", level: "account" },
      expect.objectContaining({ url: "https://bot.example/hook", level: "conversation" }),
    ]);
  });

  // Twilio docs, "Per-Service Webhook Resource": "If configured, service-scoped webhooks will
  // override your global webhook settings such that only the service-scoped hooks will fire.
  // This applies only to the services where service-level hooks are configured."
  it("a service with its own webhook URL silences the account-level webhooks (Per-Service Webhook Resource)", () => {
    // The service filters out onMessageAdd, yet the account's pre-event still stays silent.
    expect(resolveWebhookTargets("onMessageAdd", { account, service })).toEqual([]);
    const postOnly = { ...service, pre_webhook_url: null };
    expect(resolveWebhookTargets("onMessageAdd", { account, service: postOnly })).toEqual([]);
    // A service with no URL at all is not configured: the account-level webhooks fire.
    const unset = { method: null, filters: null, pre_webhook_url: null, post_webhook_url: null };
    expect(resolveWebhookTargets("onMessageAdded", { account, service: unset })).toEqual([
      { url: "https://account.example/post", method: "POST", level: "account" },
    ]);
  });

  it("fires nothing that is not filtered, configured, or deliverable over HTTP", () => {
    expect(
      resolveWebhookTargets("onParticipantAdded", {
        account,
        service,
        conversationWebhooks: [bot],
      }),
    ).toEqual([]);
    expect(
      resolveWebhookTargets("onMessageAdded", { account: { ...account, filters: null } }),
    ).toEqual([]);
    expect(
      resolveWebhookTargets("onMessageAdded", { account: { ...account, target: "flex" } }),
    ).toEqual([]);
    expect(
      resolveWebhookTargets("onMessageAdded", { account: { ...account, post_webhook_url: null } }),
    ).toEqual([]);
    const studio: ConversationWebhookRecord = {
      sid: "WH00000000000000000000000000000002",
      target: "studio",
      configuration: {
        flow_sid: "FW00000000000000000000000000000001",
        filters: ["onMessageAdded"],
      },
    };
    expect(resolveWebhookTargets("onMessageAdded", { conversationWebhooks: [studio] })).toEqual([]);
    expect(resolveWebhookTargets("onMessageAdded", {})).toEqual([]);
  });

  it("fires a trigger webhook only when the message contains a keyword", () => {
    const trigger: ConversationWebhookRecord = {
      sid: "WH00000000000000000000000000000003",
      target: "trigger",
      configuration: {
        url: "https://trigger.example/",
        filters: ["onMessageAdded"],
        triggers: ["help"],
      },
    };
    expect(
      resolveWebhookTargets("onMessageAdded", {
        conversationWebhooks: [trigger],
        messageBody: "I need HELP!",
      }),
    ).toHaveLength(1);
    expect(
      resolveWebhookTargets("onMessageAdded", {
        conversationWebhooks: [trigger],
        messageBody: "helpful",
      }),
    ).toEqual([]);
    expect(resolveWebhookTargets("onMessageAdded", { conversationWebhooks: [trigger] })).toEqual(
      [],
    );
  });

  it("includes the address auto-creation webhook for its filtered post-events", () => {
    const addressAutoCreation = {
      enabled: true,
      type: "webhook" as const,
      webhook_url: "https://auto.example/hook",
      webhook_method: "POST",
      webhook_filters: ["onMessageAdded"],
    };
    expect(resolveWebhookTargets("onMessageAdded", { addressAutoCreation })).toEqual([
      { url: "https://auto.example/hook", method: "POST", level: "address" },
    ]);
    expect(resolveWebhookTargets("onMessageAdd", { addressAutoCreation })).toEqual([]);
    expect(
      resolveWebhookTargets("onMessageAdded", {
        addressAutoCreation: { ...addressAutoCreation, enabled: false },
      }),
    ).toEqual([]);
  });
});

describe("event types", () => {
  it("tells pre-events from post-events and unknown names", () => {
    expect(isPreEventType("onMessageAdd")).toBe(true);
    expect(isPreEventType("onMessageAdded")).toBe(false);
    expect(isWebhookEventType("onDeliveryUpdated")).toBe(true);
    expect(isWebhookEventType("onMessageAdded ")).toBe(false);
  });

  it("fires REST webhooks only with X-Twilio-Webhook-Enabled: true", () => {
    expect(restActionFiresWebhooks("true")).toBe(true);
    expect(restActionFiresWebhooks("True")).toBe(true);
    expect(restActionFiresWebhooks(["true"])).toBe(true);
    expect(restActionFiresWebhooks("false")).toBe(false);
    expect(restActionFiresWebhooks("1")).toBe(false);
    expect(restActionFiresWebhooks(undefined)).toBe(false);
  });
});
