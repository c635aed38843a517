import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { ConfigError } from "../errors.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { CatchUpBudget, defaultCatchUpRequestsPerSecond } from "./catch-up-budget.js";
import { createSwitchboard } from "./create-switchboard.js";

describe("CatchUpBudget", () => {
  it("grants at most requestsPerSecond in any one-second window", () => {
    let clock = 10_000;
    const budget = new CatchUpBudget({ requestsPerSecond: 3, now: () => clock });
    expect([budget.tryTake(), budget.tryTake(), budget.tryTake()]).toEqual([true, true, true]);
    expect(budget.tryTake()).toBe(false);
    clock += 999;
    expect(budget.tryTake()).toBe(false);
    clock += 1;
    expect(budget.tryTake()).toBe(true);
    expect(budget.spent).toBe(4);
  });

  it("background requests leave a fifth of each second to gap fetches (none from a budget of 1)", async () => {
    let clock = 10_000;
    const budget = new CatchUpBudget({ requestsPerSecond: 5, now: () => clock });
    expect(budget.reservedForGaps).toBe(1);
    for (let taken = 0; taken < 4; taken++) await budget.take("background");
    expect(budget.available("background")).toBe(false);
    // A run keeping the budget busy still leaves a webhook's gap listing its slot now.
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    clock += 1_000;
    expect(budget.available("background")).toBe(true);
    expect(new CatchUpBudget({ requestsPerSecond: 1 }).reservedForGaps).toBe(0);
    expect(new CatchUpBudget({ requestsPerSecond: 100 }).reservedForGaps).toBe(20);
  });

  it("waits for a slot, and a background request yields to busy sends (a gap fetch does not)", async () => {
    let busy = true;
    const budget = new CatchUpBudget({
      requestsPerSecond: 100,
      sendsBusy: () => busy,
      maxYieldMs: 60_000,
    });
    const order: string[] = [];
    const background = budget.take("background").then(() => order.push("background"));
    const gap = budget.take("gap").then(() => order.push("gap"));
    await gap;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(order).toEqual(["gap"]);
    busy = false;
    await background;
    expect(order).toEqual(["gap", "background"]);
  });

  it("a background request yields to sends for maxYieldMs at most: busy sends never stop it for good", async () => {
    const budget = new CatchUpBudget({
      requestsPerSecond: 5,
      sendsBusy: () => true,
      maxYieldMs: 50,
    });
    await budget.take("background");
    expect(budget.spent).toBe(1);
  });

  it("stops waiting when the signal aborts (the switchboard closes)", async () => {
    const budget = new CatchUpBudget({ requestsPerSecond: 1 });
    budget.tryTake();
    const controller = new AbortController();
    const waiting = budget.take("background", controller.signal);
    controller.abort(new Error("closing"));
    await expect(waiting).rejects.toThrow("closing");
    // The line is not blocked by the rejected waiter.
    expect(budget.available()).toBe(false);
  });

  it("refuses a budget that is not a whole number from 1 to 1000, naming the option", () => {
    expect(defaultCatchUpRequestsPerSecond).toBe(5);
    for (const bad of [0, -1, 0.5, 1001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new CatchUpBudget({ requestsPerSecond: bad })).toThrow(ConfigError);
      expect(() => new CatchUpBudget({ requestsPerSecond: bad })).toThrow(
        /catchUp\.requestsPerSecond must be a whole number/,
      );
    }
  });

  it("createSwitchboard refuses a bad catchUp.requestsPerSecond when it is built", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchboard-budget-"));
    const mailbox = sqliteMailbox({ path: join(directory, "mailbox.db") });
    try {
      let caught: unknown;
      try {
        createSwitchboard({
          webhook: { verify: false },
          provider: {
            async sendMessage() {
              return { id: `IM${"0".repeat(32)}` };
            },
            async *listMessages() {},
          },
          mailbox,
          agent: functionAgent(async () => "hi"),
          catchUp: { requestsPerSecond: 2.5 },
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).option).toBe("catchUp.requestsPerSecond");
    } finally {
      void mailbox.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
