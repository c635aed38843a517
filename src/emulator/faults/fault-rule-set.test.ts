import { describe, expect, it } from "vitest";
import { FaultRuleError } from "./fault-rule-error.js";
import { createRestFaultEngine, createWebhookFaultEngine } from "./fault-rule-set.js";

describe("createRestFaultEngine", () => {
  it("matches by method and path substring, first rule first", () => {
    const faults = createRestFaultEngine();
    const messages = faults.add({
      match: { method: "POST", path: "/Messages" },
      fault: { kind: "reset" },
    });
    const anything = faults.add({ match: {}, fault: { kind: "delay", delayMs: 1 } });
    expect(faults.match("post", "/v1/Conversations/CH1/Messages")?.ruleId).toBe(messages.id);
    expect(faults.match("GET", "/v1/Conversations/CH1/Messages")?.ruleId).toBe(anything.id);
    expect(messages.id).toMatch(/^FT[0-9a-f]{32}$/);
  });

  it("retires a rule after `times` matches", () => {
    const faults = createRestFaultEngine();
    faults.add({ match: {}, fault: { kind: "status", status: 503 }, times: 2 });
    expect(faults.match("GET", "/")).toBeDefined();
    expect(faults.list()[0]?.hits).toBe(1);
    expect(faults.match("GET", "/")).toBeDefined();
    expect(faults.match("GET", "/")).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it("applies a rule at its rate without consuming it on a miss", () => {
    const draws = [0.7, 0.2, 0.29, 0.3];
    const faults = createRestFaultEngine({ random: () => draws.shift()! });
    faults.add({ match: {}, fault: { kind: "reset" }, rate: 0.3, times: 1 });
    expect(faults.match("GET", "/")).toBeUndefined();
    expect(faults.match("GET", "/")).toBeDefined();
    expect(faults.match("GET", "/")).toBeUndefined(); // retired: the draw is not even taken
    expect(draws).toEqual([0.29, 0.3]);
  });

  it("clears all rules and limits how many exist", () => {
    const faults = createRestFaultEngine({ maxRules: 2 });
    faults.add({ match: {}, fault: { kind: "reset" } });
    faults.add({ match: {}, fault: { kind: "reset" } });
    expect(() => faults.add({ match: {}, fault: { kind: "reset" } })).toThrow(FaultRuleError);
    faults.clear();
    expect(faults.match("GET", "/")).toBeUndefined();
  });
});

describe("createWebhookFaultEngine", () => {
  it("matches by exact event and URL substring", () => {
    const faults = createWebhookFaultEngine();
    faults.add({ match: { event: "onMessageAdded", url: "bot" }, fault: { kind: "duplicate" } });
    expect(faults.match("onMessageAdded", "https://bot.example/hook")).toBeDefined();
    expect(faults.match("onMessageAdd", "https://bot.example/hook")).toBeUndefined();
    expect(faults.match("onMessageAdded", "https://other.example/hook")).toBeUndefined();
  });
});
