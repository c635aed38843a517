import { describe, expect, it } from "vitest";
import { ConfigFileError } from "./config-file-error.js";
import { validateConfig } from "./validate-config.js";

const agent = { respond: async () => ({ text: "hi" }) };

function problemsOf(value: unknown): string[] {
  try {
    validateConfig(value, "switchboard.config.ts");
  } catch (error) {
    if (error instanceof ConfigFileError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("handoff settings in the config file", () => {
  it("accepts business hours, the after-hours text, the hand-back timeout and slow turns", () => {
    expect(
      problemsOf({
        agent,
        businessHours: {
          timeZone: "Europe/Amsterdam",
          weekly: { monday: ["09:00-17:00"] },
          holidays: ["2026-12-25", { date: "2026-12-24", hours: ["09:00-12:00"] }],
        },
        afterHoursMessage: "Back {when}.",
        handBack: { afterMs: 600_000 },
        slowTurn: { afterMs: { sms: 5_000, chat: false } },
      }),
    ).toEqual([]);
  });

  it("refuses bad hours and shapes at start, naming each option", () => {
    const problems = problemsOf({
      agent,
      businessHours: { timeZone: "Europe/Amsterdam", weekly: { monday: ["17:00-09:00"] } },
      handBack: { afterMs: -1 },
      slowTurn: { afterMs: { fax: 5 } },
    });
    const keys = problems.map((problem) => problem.split(":")[0]);
    expect(keys[0]).toBe("handBack.afterMs");
    expect(keys[1]).toMatch(/^slowTurn\.afterMs/);
    expect(
      problemsOf({ agent, businessHours: { timeZone: "Nowhere/Atlantis", weekly: {} } })[0],
    ).toMatch(/^businessHours\.timeZone: /);
    expect(
      problemsOf({
        agent,
        businessHours: { timeZone: "Europe/Amsterdam", weekly: { monday: ["17:00-09:00"] } },
      })[0],
    ).toMatch(/^businessHours\.weekly\.monday\[0\]: /);
  });

  it("accepts the customers settings and refuses wrong ones, naming each", () => {
    expect(problemsOf({ agent, customers: { linkSameNumber: false, historyLimit: 0 } })).toEqual(
      [],
    );
    const keys = problemsOf({
      agent,
      customers: { linkSameNumber: "no", historyLimit: 1000, other: 1 },
    }).map((problem) => problem.split(":")[0]);
    expect(keys).toEqual(
      expect.arrayContaining(["customers.linkSameNumber", "customers.historyLimit"]),
    );
  });
});
