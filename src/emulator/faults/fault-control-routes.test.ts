import { describe, expect, it } from "vitest";
import { createWebhookDeliveryLog } from "../webhooks/webhook-delivery-log.js";
import { createFaultControlRoutes } from "./fault-control-routes.js";
import { createRestFaultEngine, createWebhookFaultEngine } from "./fault-rule-set.js";

function setup() {
  const restFaults = createRestFaultEngine();
  const webhookFaults = createWebhookFaultEngine();
  const webhookLog = createWebhookDeliveryLog();
  const routes = createFaultControlRoutes({ restFaults, webhookFaults, webhookLog });
  return { restFaults, webhookFaults, webhookLog, routes };
}

describe("createFaultControlRoutes", () => {
  it("adds, lists and clears REST fault rules", () => {
    const { restFaults, routes } = setup();
    const created = routes.handle(
      "POST",
      "/_emulator/faults",
      JSON.stringify({ match: { path: "/Messages" }, fault: { status: 503 } }),
    );
    expect(created?.status).toBe(201);
    const { id } = (created?.body ?? {}) as { id?: string };
    expect(restFaults.match("POST", "/v1/Conversations/CH1/Messages")?.ruleId).toBe(id);
    expect(routes.handle("GET", "/_emulator/faults/")).toMatchObject({
      status: 200,
      body: { faults: [{ id }] },
    });
    expect(routes.handle("DELETE", "/_emulator/faults")).toEqual({ status: 204 });
    expect(restFaults.list()).toEqual([]);
  });

  it("adds and clears webhook delivery fault rules", () => {
    const { webhookFaults, routes } = setup();
    const created = routes.handle(
      "POST",
      "/_emulator/webhooks/faults",
      Buffer.from('{"fault":{"duplicate":true},"times":2}'),
    );
    expect(created?.status).toBe(201);
    expect(webhookFaults.list()).toHaveLength(1);
    expect(routes.handle("DELETE", "/_emulator/webhooks/faults")).toEqual({ status: 204 });
    expect(webhookFaults.list()).toEqual([]);
  });

  it("shows and clears the webhook delivery log", () => {
    const { webhookLog, routes } = setup();
    webhookLog.add({
      id: webhookLog.nextId(),
      url: "http://127.0.0.1:1/hook",
      method: "POST",
      event: "onMessageAdded",
      level: "service",
      status: 200,
      attempts: 1,
      ms: 3,
      at: "2026-01-01T00:00:00.000Z",
      idempotencyToken: "token",
      faults: [],
    });
    expect(routes.handle("GET", "/_emulator/webhooks")).toMatchObject({
      status: 200,
      body: {
        deliveries: [
          {
            id: "WD1",
            url: "http://127.0.0.1:1/hook",
            event: "onMessageAdded",
            status: 200,
            attempts: 1,
            ms: 3,
          },
        ],
      },
    });
    expect(routes.handle("DELETE", "/_emulator/webhooks")).toEqual({ status: 204 });
    expect(webhookLog.entries()).toEqual([]);
  });

  it("answers malformed, forged and oversized bodies with 400/413 naming the field", () => {
    const { restFaults, routes } = setup();
    expect(routes.postFaults("{not json")).toEqual({
      status: 400,
      body: { code: "invalid_fault_rule", field: "body", message: "body must be valid JSON" },
    });
    expect(routes.postFaults('{"fault":{"meteor":true}}')).toMatchObject({
      status: 400,
      body: { field: "fault" },
    });
    expect(routes.postFaults('{"fault":{"status":503},"rate":2}')).toMatchObject({
      status: 400,
      body: { field: "rate" },
    });
    expect(routes.postFaults('{"fault":{"status":"503"}}')).toMatchObject({
      status: 400,
      body: { field: "fault.status" },
    });
    expect(routes.postFaults('{"__proto__":{"status":1},"fault":{"reset":true}}')).toMatchObject({
      status: 400,
      body: { field: "__proto__" },
    });
    expect(
      routes.postFaults(
        JSON.stringify({ fault: { reset: true }, match: { path: "x".repeat(20_000) } }),
      ),
    ).toMatchObject({
      status: 413,
      body: { field: "body" },
    });
    expect(routes.postWebhookFaults('{"fault":{"reset":true}}')).toMatchObject({
      status: 400,
      body: { field: "fault" },
    });
    expect(restFaults.list()).toEqual([]);
  });

  it("refuses unsupported methods and ignores other paths", () => {
    const { routes } = setup();
    expect(routes.handle("PUT", "/_emulator/faults")?.status).toBe(405);
    expect(routes.handle("POST", "/_emulator/webhooks")?.status).toBe(405);
    expect(routes.handle("GET", "/v1/Conversations")).toBeUndefined();
  });
});
