import { describe, expect, it } from "vitest";
import { workersSchema } from "../config/workers-schema.js";
import { resolveOptions } from "./resolve-options.js";
import { defaultRetryPolicy, resolveRetryPolicy } from "./retry-policy.js";

describe("resolveRetryPolicy", () => {
  it("resolves the defaults into one policy for turns and sends", () => {
    expect(resolveRetryPolicy()).toEqual(defaultRetryPolicy);
    expect(
      resolveRetryPolicy({
        retryBaseMs: 100,
        retryCapMs: 1_000,
        sendRetryBaseMs: 10,
        sendRetryCapMs: 50,
        maxSendAttempts: 3,
        sendReconcileDelayMs: 0,
      }),
    ).toEqual({
      turn: { baseMs: 100, capMs: 1_000 },
      send: { baseMs: 10, capMs: 50, attempts: 3, reconcileDelayMs: 0 },
    });
  });

  it("raises a default cap to a larger base instead of refusing it", () => {
    expect(resolveRetryPolicy({ retryBaseMs: 600_000 }).turn).toEqual({
      baseMs: 600_000,
      capMs: 600_000,
    });
  });

  it("refuses bad values, naming the option", () => {
    expect(() => resolveRetryPolicy({ maxSendAttempts: 0 })).toThrow(
      expect.objectContaining({ option: "workers.maxSendAttempts" }),
    );
    expect(() => resolveRetryPolicy({ sendRetryBaseMs: 100, sendRetryCapMs: 50 })).toThrow(
      expect.objectContaining({ option: "workers.sendRetryCapMs" }),
    );
    expect(() => resolveRetryPolicy({ sendReconcileDelayMs: -1 })).toThrow(
      expect.objectContaining({ option: "workers.sendReconcileDelayMs" }),
    );
  });

  it("is what createSwitchboard's workers and the config file's workers section share", () => {
    const workers = { retryBaseMs: 100, maxSendAttempts: 4 };
    expect(workersSchema.parse(workers)).toEqual(workers);
    expect(() => workersSchema.parse({ maxSendAtempts: 4 })).toThrow();
    const resolved = resolveOptions({
      provider: { sendMessage: async () => ({ id: "IM" }), listMessages: async function* () {} },
      agent: { respond: async () => ({ text: "hi" }) },
      mailbox: { ingest: async () => "accepted" } as never,
      workers,
    });
    expect(resolved.turns.retryPolicy).toBe(resolved.sends.retryPolicy);
    expect(resolved.sends.retryPolicy.send.attempts).toBe(4);
    expect(resolved.turns.retryPolicy.turn.baseMs).toBe(100);
  });
});
