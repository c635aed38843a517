import { describe, expect, it } from "vitest";
import {
  firstReconnectDelayMs,
  maxReconnectDelayMs,
  nextReconnectDelay,
} from "./reconnect-delay.js";
import { insertionPoint, TranscriptCursor } from "./transcript-cursor.js";

describe("the widget's transcript cursor", () => {
  it("shows each index once and resumes after the highest, whatever the arrival order", () => {
    const cursor = new TranscriptCursor();
    expect(cursor.lastIndex).toBe(-1);
    expect(cursor.accept(1)).toBe(true);
    expect(cursor.accept(0)).toBe(true);
    expect(cursor.lastIndex).toBe(1);
    // The send answer and the stream both report index 1: shown once.
    expect(cursor.accept(1)).toBe(false);
    expect(cursor.has(0)).toBe(true);
    cursor.reset();
    expect(cursor.lastIndex).toBe(-1);
    expect(cursor.accept(0)).toBe(true);
  });

  it("inserts a message before later ones and before those still sending", () => {
    expect(insertionPoint([0, 1, 3], 2)).toBe(2);
    expect(insertionPoint([0, 1, null], 2)).toBe(2);
    expect(insertionPoint([0, 1], 5)).toBe(2);
    expect(insertionPoint([], 0)).toBe(0);
    // A new pending message goes after everything, including earlier pending ones.
    expect(insertionPoint([0, null], Number.POSITIVE_INFINITY)).toBe(1);
  });
});

describe("reconnecting", () => {
  it("doubles the wait up to 30 s", () => {
    const delays = [firstReconnectDelayMs];
    for (let step = 0; step < 7; step += 1) delays.push(nextReconnectDelay(delays.at(-1)!));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(Math.max(...delays)).toBe(maxReconnectDelayMs);
  });
});
