import { describe, expect, it } from "vitest";
import { type BusinessHoursOptions, businessHours } from "./business-hours.js";

// Amsterdam: CET (+1) in winter, CEST (+2) from the last Sunday of March (2026-03-29,
// 02:00 → 03:00) to the last Sunday of October (2026-10-25, 03:00 → 02:00).
const amsterdam: BusinessHoursOptions = {
  timeZone: "Europe/Amsterdam",
  weekly: {
    monday: ["09:00-17:00"],
    tuesday: ["09:00-17:00"],
    wednesday: ["09:00-12:30", "13:30-17:00"],
    thursday: ["09:00-17:00"],
    friday: ["09:00-17:00"],
    saturday: ["10:00-14:00"],
    sunday: ["02:30-04:00"],
  },
  holidays: ["2026-12-25", { date: "2026-12-24", hours: ["09:00-12:00"] }],
};
const hours = businessHours(amsterdam);
const at = (iso: string) => new Date(iso);

describe("businessHours", () => {
  it.each<[string, boolean, string, string]>([
    // instant (UTC)              open?  next opening (UTC)          in words
    ["2026-12-07T08:00:00Z", true, "2026-12-07T08:00:00Z", "now"], // Monday 09:00 CET
    ["2026-12-07T07:59:00Z", false, "2026-12-07T08:00:00Z", "today at 9:00"],
    ["2026-12-07T16:00:00Z", false, "2026-12-08T08:00:00Z", "tomorrow at 9:00"], // 17:00 closes
    ["2026-12-09T11:45:00Z", false, "2026-12-09T12:30:00Z", "today at 13:30"], // lunch
    ["2026-12-11T18:00:00Z", false, "2026-12-12T09:00:00Z", "tomorrow at 10:00"], // Friday night
    ["2026-12-24T10:59:00Z", true, "2026-12-24T10:59:00Z", "now"], // short day, 11:59 local
    ["2026-12-24T11:00:00Z", false, "2026-12-26T09:00:00Z", "Saturday at 10:00"], // Christmas closed
    ["2026-12-25T09:00:00Z", false, "2026-12-26T09:00:00Z", "tomorrow at 10:00"],
  ])("at %s open=%s, next opening %s (%s)", (instant, open, next, words) => {
    expect(hours.isOpen(at(instant))).toBe(open);
    expect(hours.nextOpening(at(instant))?.toISOString()).toBe(at(next).toISOString());
    expect(hours.describeNextOpening(at(instant))).toBe(words);
  });

  it("keeps wall-clock hours across the spring-forward change", () => {
    // Friday 27 March, after closing (CET): the next opening is Saturday 10:00 CET.
    expect(hours.nextOpening(at("2026-03-27T17:00:00Z"))?.toISOString()).toBe(
      "2026-03-28T09:00:00.000Z",
    );
    // Monday 30 March is in summer time: 09:00 CEST is 07:00 UTC, not 08:00.
    expect(hours.nextOpening(at("2026-03-29T12:00:00Z"))?.toISOString()).toBe(
      "2026-03-30T07:00:00.000Z",
    );
    expect(hours.isOpen(at("2026-03-30T07:00:00Z"))).toBe(true);
    expect(hours.isOpen(at("2026-03-30T06:59:00Z"))).toBe(false);
    expect(hours.describeNextOpening(at("2026-03-29T12:00:00Z"))).toBe("tomorrow at 9:00");
    // Sunday's 02:30 does not exist on 29 March (02:00 → 03:00): it opens at 03:30 CEST,
    // moved later by the gap, and is open until 04:00 CEST.
    expect(hours.nextOpening(at("2026-03-29T00:00:00Z"))?.toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(hours.isOpen(at("2026-03-29T01:45:00Z"))).toBe(true); // 03:45 CEST
  });

  it("keeps wall-clock hours across the fall-back change", () => {
    // Sunday 25 October, 02:30 happens twice: the first one opens.
    expect(hours.nextOpening(at("2026-10-24T22:00:00Z"))?.toISOString()).toBe(
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
    );
    expect(hours.isOpen(at("2026-10-25T01:30:00Z"))).toBe(true); // 02:30 CET, the second time
    // Monday 26 October is winter time again: 09:00 CET is 08:00 UTC.
    expect(hours.nextOpening(at("2026-10-25T12:00:00Z"))?.toISOString()).toBe(
      "2026-10-26T08:00:00.000Z",
    );
  });

  it("names a day further than a week away by its date", () => {
    const yearly = businessHours({
      timeZone: "America/New_York",
      weekly: { monday: ["09:00-17:00"] },
      holidays: ["2026-12-07", "2026-12-14"],
    });
    // Saturday 5 December 2026, noon in New York (EST, -5).
    expect(yearly.describeNextOpening(at("2026-12-05T17:00:00Z"))).toBe(
      "on Monday 21 December at 9:00",
    );
    expect(yearly.nextOpening(at("2026-12-05T17:00:00Z"))?.toISOString()).toBe(
      "2026-12-21T14:00:00.000Z",
    );
  });

  it("treats 24:00 as the end of the day", () => {
    const late = businessHours({ timeZone: "UTC", weekly: { friday: ["18:00-24:00"] } });
    expect(late.isOpen(at("2026-12-11T23:59:00Z"))).toBe(true);
    expect(late.isOpen(at("2026-12-12T00:00:00Z"))).toBe(false);
  });

  it.each<[unknown, RegExp]>([
    [{ weekly: { monday: ["09:00-17:00"] } }, /businessHours\.timeZone is required/],
    [{ timeZone: "Mars/Olympus", weekly: { monday: ["09:00-17:00"] } }, /timeZone "Mars\/Olympus"/],
    [{ timeZone: "UTC", weekly: { mon: ["09:00-17:00"] } }, /weekly\.mon .*did you mean "monday"/],
    [{ timeZone: "UTC", weekly: { monday: ["9-5"] } }, /weekly\.monday\[0\] must be a range/],
    [{ timeZone: "UTC", weekly: { monday: ["22:00-02:00"] } }, /cannot cross midnight/],
    [{ timeZone: "UTC", weekly: { monday: ["09:00-13:00", "12:00-17:00"] } }, /overlapping/],
    [{ timeZone: "UTC", weekly: {} }, /no opening hours/],
    [
      { timeZone: "UTC", weekly: { monday: ["09:00-17:00"] }, holidays: ["2026-02-30"] },
      /holidays\[0\] needs a date/,
    ],
    [
      {
        timeZone: "UTC",
        weekly: { monday: ["09:00-17:00"] },
        holidays: [{ date: "2026-12-24", hours: ["25:00-26:00"] }],
      },
      /holidays\[0\]\.hours\[0\]/,
    ],
  ])("refuses %j at construction, naming the option", (options, message) => {
    expect(() => businessHours(options as BusinessHoursOptions)).toThrow(message);
    try {
      businessHours(options as BusinessHoursOptions);
    } catch (error) {
      expect(error).toMatchObject({
        code: "invalid_config",
        option: expect.stringMatching(/^businessHours/),
      });
    }
  });

  it("says when nobody will ever come back", () => {
    const closed = businessHours({
      timeZone: "UTC",
      weekly: { monday: ["09:00-10:00"] },
      holidays: Array.from({ length: 60 }, (_, week) =>
        new Date(Date.UTC(2026, 11, 7 + week * 7)).toISOString().slice(0, 10),
      ),
    });
    // Every Monday for 60 weeks is a holiday: nothing opens within the 400 days searched.
    expect(closed.nextOpening(at("2026-12-06T00:00:00Z"))).toBeUndefined();
    expect(closed.describeNextOpening(at("2026-12-06T00:00:00Z"))).toBe("not in the coming months");
    expect(closed.isOpen(at("2026-12-07T09:30:00Z"))).toBe(false);
  });
});
