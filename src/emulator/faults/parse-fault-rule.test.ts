import { describe, expect, it } from "vitest";
import { FaultRuleError } from "./fault-rule-error.js";
import { parseRestFaultRule, parseWebhookFaultRule } from "./parse-fault-rule.js";

function fieldOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof FaultRuleError) return error.field;
    throw error;
  }
  throw new Error("expected a FaultRuleError");
}

describe("parseRestFaultRule", () => {
  it("accepts every fault kind", () => {
    expect(
      parseRestFaultRule({
        match: { method: "post", path: "/Messages" },
        fault: { status: 429, code: 20429, retryAfter: 2 },
        times: 1,
      }),
    ).toEqual({
      match: { method: "POST", path: "/Messages" },
      fault: { kind: "status", status: 429, code: 20429, retryAfter: 2 },
      times: 1,
    });
    expect(parseRestFaultRule({ fault: { delayMs: 100 }, rate: 0.5 })).toEqual({
      match: {},
      fault: { kind: "delay", delayMs: 100 },
      rate: 0.5,
    });
    expect(parseRestFaultRule({ fault: { reset: true } }).fault).toEqual({ kind: "reset" });
    expect(parseRestFaultRule({ fault: { commitThenStatus: 500 } }).fault).toEqual({
      kind: "commitThenStatus",
      status: 500,
    });
    expect(parseRestFaultRule({ fault: { commitThenReset: true } }).fault).toEqual({
      kind: "commitThenReset",
    });
  });

  it("names the bad field of a malformed rule", () => {
    expect(fieldOf(() => parseRestFaultRule(null))).toBe("body");
    expect(fieldOf(() => parseRestFaultRule([]))).toBe("body");
    expect(fieldOf(() => parseRestFaultRule({}))).toBe("fault");
    expect(fieldOf(() => parseRestFaultRule({ fault: {} }))).toBe("fault");
    expect(fieldOf(() => parseRestFaultRule({ fault: { explode: true } }))).toBe("fault");
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 500, reset: true } }))).toBe(
      "fault",
    );
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: "500" } }))).toBe("fault.status");
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 200 } }))).toBe("fault.status");
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 500.5 } }))).toBe("fault.status");
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 500, code: "x" } }))).toBe(
      "fault.code",
    );
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 500, retryAfter: -1 } }))).toBe(
      "fault.retryAfter",
    );
    expect(fieldOf(() => parseRestFaultRule({ fault: { status: 500, delay: 1 } }))).toBe(
      "fault.delay",
    );
    expect(fieldOf(() => parseRestFaultRule({ fault: { delayMs: 1e9 } }))).toBe("fault.delayMs");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: "yes" } }))).toBe("fault.reset");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, rate: 1.5 }))).toBe("rate");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, rate: -0.1 }))).toBe("rate");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, rate: "0.5" }))).toBe("rate");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, times: 0 }))).toBe("times");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, match: "all" }))).toBe(
      "match",
    );
    expect(
      fieldOf(() => parseRestFaultRule({ fault: { reset: true }, match: { method: "PO ST" } })),
    ).toBe("match.method");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, match: { path: "" } }))).toBe(
      "match.path",
    );
    expect(
      fieldOf(() =>
        parseRestFaultRule({ fault: { reset: true }, match: { path: "x".repeat(5000) } }),
      ),
    ).toBe("match.path");
    expect(
      fieldOf(() => parseRestFaultRule({ fault: { reset: true }, match: { host: "x" } })),
    ).toBe("match.host");
    expect(fieldOf(() => parseRestFaultRule({ fault: { reset: true }, extra: 1 }))).toBe("extra");
  });
});

describe("parseWebhookFaultRule", () => {
  it("accepts duplicate, delay and reorder", () => {
    expect(
      parseWebhookFaultRule({
        match: { event: "onMessageAdded", url: "/hook" },
        fault: { duplicate: true },
      }),
    ).toEqual({
      match: { event: "onMessageAdded", url: "/hook" },
      fault: { kind: "duplicate" },
    });
    expect(parseWebhookFaultRule({ fault: { delayMs: 0 } }).fault).toEqual({
      kind: "delay",
      delayMs: 0,
    });
    expect(parseWebhookFaultRule({ fault: { reorder: { count: 3 } } }).fault).toEqual({
      kind: "reorder",
      count: 3,
      order: "reverse",
      holdMs: 1000,
    });
  });

  it("names the bad field of a malformed rule", () => {
    expect(fieldOf(() => parseWebhookFaultRule({ fault: { status: 500 } }))).toBe("fault");
    expect(fieldOf(() => parseWebhookFaultRule({ fault: { duplicate: 1 } }))).toBe(
      "fault.duplicate",
    );
    expect(fieldOf(() => parseWebhookFaultRule({ fault: { reorder: 3 } }))).toBe("fault.reorder");
    expect(fieldOf(() => parseWebhookFaultRule({ fault: { reorder: { count: 1 } } }))).toBe(
      "fault.reorder.count",
    );
    expect(
      fieldOf(() => parseWebhookFaultRule({ fault: { reorder: { count: 2, order: "random" } } })),
    ).toBe("fault.reorder.order");
    expect(
      fieldOf(() => parseWebhookFaultRule({ fault: { duplicate: true }, match: { event: 5 } })),
    ).toBe("match.event");
  });
});
