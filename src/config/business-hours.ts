import { ConfigError } from "../errors.js";

/** Days of the week as they are written in the options. */
export const weekdays = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * Opening hours as written in configuration: `"09:00-17:00"` ranges in the business's
 * own time zone; `"24:00"` may end a range; a range may not cross midnight (write it as
 * two ranges on two days).
 */
export interface BusinessHoursOptions {
  /** The IANA time zone the hours are in, e.g. `Europe/Amsterdam`. */
  timeZone: string;
  /** Ranges per weekday; a day left out is closed. */
  weekly: Partial<Record<Weekday, readonly string[]>>;
  /**
   * Dates (`YYYY-MM-DD`, in the time zone) that differ from the week: a bare date is
   * closed all day; `{ date, hours }` is open only those hours that day (a short day).
   */
  holidays?: readonly (string | { date: string; hours?: readonly string[] })[];
}

/** Opening hours, validated; every method takes an instant and answers in the time zone. */
export interface BusinessHours {
  readonly timeZone: string;
  /** Whether a person is working at `at`. */
  isOpen(at: Date): boolean;
  /**
   * The next instant the business is open at or after `at` (`at` itself when open), or
   * `undefined` when no opening falls within the next 400 days (all holidays).
   */
  nextOpening(at: Date): Date | undefined;
  /**
   * When a person will reply, in words, seen from `at`: `"now"`, `"today at 14:00"`,
   * `"tomorrow at 9:00"`, `"Monday at 9:00"` (within a week), else
   * `"on Monday 5 January at 9:00"`; `"not in the coming months"` when never.
   */
  describeNextOpening(at: Date): string;
}

/** A range of minutes after local midnight, end exclusive. */
interface Range {
  start: number;
  end: number;
}

/** A local calendar date. */
interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const dayMs = 86_400_000;
const searchDays = 400;
const option = "businessHours";

/**
 * Validates opening hours once, at construction — each mistake names the option
 * (`businessHours.weekly.monday[0]`) — and answers questions about instants with the
 * platform's time zone data (`Intl.DateTimeFormat`), so daylight saving changes come out
 * right: "09:00" is 09:00 on the wall clock the day the clocks change too. A local time
 * that does not exist that day (inside a spring-forward gap) is moved later by the gap.
 */
export function businessHours(options: BusinessHoursOptions): BusinessHours {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError(option, `${option} must be an object with timeZone and weekly hours.`);
  }
  const timeZone = checkedTimeZone(options.timeZone);
  const weekly = checkedWeekly(options.weekly);
  const holidays = checkedHolidays(options.holidays);
  const clock = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  });

  /** The wall clock in the time zone at `instant`, as if it were UTC (whole minutes). */
  const wallMs = (instant: number): number => {
    const parts: Record<string, number> = {};
    for (const part of clock.formatToParts(new Date(instant))) {
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    return Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
    );
  };
  const offsetAt = (instant: number) => wallMs(instant) - Math.floor(instant / 60_000) * 60_000;
  /** The instant a wall-clock time (as UTC ms) happens; the earlier one when it happens twice. */
  const instantOf = (wall: number): number => {
    const before = offsetAt(wall - dayMs);
    const after = offsetAt(wall + dayMs);
    const candidates = [wall - before, wall - after].filter(
      (candidate) => wallMs(candidate) === wall,
    );
    // No candidate: the time is skipped (spring forward); the offset before the change
    // maps it past the gap, as java.time and Temporal do.
    return candidates.length === 0 ? wall - before : Math.min(...candidates);
  };
  const localDateOf = (instant: number): LocalDate => {
    const wall = new Date(wallMs(instant));
    return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  };
  const rangesOn = (date: LocalDate): readonly Range[] => {
    const holiday = holidays.get(dateKey(date));
    if (holiday !== undefined) return holiday;
    const weekday = weekdays[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()];
    return weekday === undefined ? [] : (weekly.get(weekday) ?? []);
  };
  const dateAfter = (date: LocalDate, days: number): LocalDate => {
    const next = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
    return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
  };

  const isOpen = (at: Date): boolean => {
    const instant = checkedInstant(at);
    const wall = wallMs(instant);
    const date = localDateOf(instant);
    const minute = Math.floor((wall - Date.UTC(date.year, date.month - 1, date.day)) / 60_000);
    return rangesOn(date).some((range) => range.start <= minute && minute < range.end);
  };

  const nextOpening = (at: Date): Date | undefined => {
    if (isOpen(at)) return new Date(at.getTime());
    const instant = at.getTime();
    const today = localDateOf(instant);
    for (let days = 0; days <= searchDays; days += 1) {
      const date = dateAfter(today, days);
      const midnight = Date.UTC(date.year, date.month - 1, date.day);
      for (const range of rangesOn(date)) {
        const opens = instantOf(midnight + range.start * 60_000);
        if (opens > instant) return new Date(opens);
      }
    }
    return undefined;
  };

  return {
    timeZone,
    isOpen,
    nextOpening,
    describeNextOpening(at) {
      const opens = nextOpening(at);
      if (opens === undefined) return "not in the coming months";
      if (opens.getTime() === at.getTime()) return "now";
      const from = localDateOf(at.getTime());
      const to = localDateOf(opens.getTime());
      const wall = new Date(wallMs(opens.getTime()));
      const time = `${wall.getUTCHours()}:${String(wall.getUTCMinutes()).padStart(2, "0")}`;
      const days = Math.round(
        (Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) /
          dayMs,
      );
      const weekday = capitalized(weekdays[wall.getUTCDay()] ?? "");
      if (days === 0) return `today at ${time}`;
      if (days === 1) return `tomorrow at ${time}`;
      if (days < 7) return `${weekday} at ${time}`;
      const month = new Intl.DateTimeFormat("en-GB", { month: "long", timeZone: "UTC" }).format(
        wall,
      );
      return `on ${weekday} ${wall.getUTCDate()} ${month} at ${time}`;
    },
  };
}

function checkedTimeZone(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(
      `${option}.timeZone`,
      `${option}.timeZone is required: an IANA time zone such as "Europe/Amsterdam".`,
    );
  }
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch (error) {
    throw new ConfigError(
      `${option}.timeZone`,
      `${option}.timeZone "${value}" is not a time zone this platform knows; use an IANA name such as "America/New_York".`,
      { cause: error },
    );
  }
}

function checkedWeekly(value: unknown): Map<Weekday, Range[]> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(
      `${option}.weekly`,
      `${option}.weekly must map weekdays to ranges, e.g. { monday: ["09:00-17:00"] }.`,
    );
  }
  const weekly = new Map<Weekday, Range[]>();
  for (const [key, ranges] of Object.entries(value)) {
    const day = key.toLowerCase();
    if (!(weekdays as readonly string[]).includes(day)) {
      const guess = weekdays.find((weekday) => weekday.startsWith(day.slice(0, 3)));
      throw new ConfigError(
        `${option}.weekly.${key}`,
        `${option}.weekly.${key} is not a weekday${guess === undefined ? "" : `; did you mean "${guess}"`}? Use ${weekdays.join(", ")}.`,
      );
    }
    weekly.set(day as Weekday, checkedRanges(ranges, `${option}.weekly.${key}`));
  }
  if (![...weekly.values()].some((ranges) => ranges.length > 0)) {
    throw new ConfigError(
      `${option}.weekly`,
      `${option}.weekly has no opening hours on any day; a person would never reply.`,
    );
  }
  return weekly;
}

function checkedHolidays(value: unknown): Map<string, Range[]> {
  const holidays = new Map<string, Range[]>();
  if (value === undefined) return holidays;
  if (!Array.isArray(value)) {
    throw new ConfigError(
      `${option}.holidays`,
      `${option}.holidays must be a list of dates ("2026-12-25") or { date, hours }.`,
    );
  }
  value.forEach((entry: unknown, position) => {
    const path = `${option}.holidays[${position}]`;
    const record: { date?: unknown; hours?: unknown } =
      typeof entry === "string"
        ? { date: entry }
        : typeof entry === "object" && entry !== null
          ? entry
          : {};
    const date = record.date;
    if (typeof date !== "string" || !isCalendarDate(date)) {
      throw new ConfigError(
        path,
        `${path} needs a date written YYYY-MM-DD (a real date); got ${JSON.stringify(date)}.`,
      );
    }
    if (holidays.has(date)) throw new ConfigError(path, `${path} repeats the date ${date}.`);
    holidays.set(
      date,
      record.hours === undefined ? [] : checkedRanges(record.hours, `${path}.hours`),
    );
  });
  return holidays;
}

function checkedRanges(value: unknown, path: string): Range[] {
  if (!Array.isArray(value)) {
    throw new ConfigError(path, `${path} must be a list of ranges such as ["09:00-17:00"].`);
  }
  const ranges = value.map((text: unknown, position): Range => {
    const match =
      typeof text === "string"
        ? /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text.trim())
        : null;
    const start = match === null ? Number.NaN : minutesOf(match[1], match[2]);
    const end = match === null ? Number.NaN : minutesOf(match[3], match[4]);
    if (Number.isNaN(start) || Number.isNaN(end) || start >= 1440 || end > 1440) {
      throw new ConfigError(
        `${path}[${position}]`,
        `${path}[${position}] must be a range "HH:MM-HH:MM" (00:00 to 24:00); got ${JSON.stringify(text)}.`,
      );
    }
    if (end <= start) {
      throw new ConfigError(
        `${path}[${position}]`,
        `${path}[${position}] "${text as string}" ends before it starts; a range cannot cross midnight — split it over two days.`,
      );
    }
    return { start, end };
  });
  ranges.sort((first, second) => first.start - second.start);
  for (let position = 1; position < ranges.length; position += 1) {
    if ((ranges[position]?.start ?? 0) < (ranges[position - 1]?.end ?? 0)) {
      throw new ConfigError(path, `${path} has overlapping ranges.`);
    }
  }
  return ranges;
}

function minutesOf(hours: string | undefined, minutes: string | undefined): number {
  const hour = Number(hours);
  const minute = Number(minutes);
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return Number.NaN;
  return hour * 60 + minute;
}

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function dateKey(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

function checkedInstant(at: Date): number {
  const instant = at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(instant)) throw new TypeError("businessHours: expected a valid Date.");
  return instant;
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
