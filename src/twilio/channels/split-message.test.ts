import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitMessage } from "./split-message.js";

const markerPattern = / \((\d+)\/(\d+)\)$/;

/** Each part is a slice of the text, in order, with only whitespace between slices. */
function expectReassembles(text: string, parts: readonly string[]) {
  let position = 0;
  for (const part of parts) {
    const found = text.indexOf(part, position);
    expect(
      found,
      `part ${JSON.stringify(part.slice(0, 30))} not found in order`,
    ).toBeGreaterThanOrEqual(0);
    expect(text.slice(position, found).trim()).toBe("");
    position = found + part.length;
  }
  expect(text.slice(position).trim()).toBe("");
}

const isLoneSurrogateAtEdge = (part: string) => {
  const first = part.charCodeAt(0);
  const last = part.charCodeAt(part.length - 1);
  return (first >= 0xdc00 && first <= 0xdfff) || (last >= 0xd800 && last <= 0xdbff);
};

// Text with words, sentences, paragraphs, emoji and the odd very long word.
const word = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom("😀", "👩‍👩‍👧", "é", "日本", "🇫🇷", "x".repeat(40)) },
);
const separator = fc.constantFrom(" ", " ", " ", ". ", "! ", "? ", "\n", "\n\n", ",  ");
const text = fc
  .array(fc.tuple(word, separator), { minLength: 0, maxLength: 120 })
  .map((pairs) => pairs.map(([w, s]) => w + s).join(""));

describe("splitMessage", () => {
  it("returns short text whole and blank text as nothing", () => {
    expect(splitMessage("  hello  ", { limit: 10 })).toEqual(["hello"]);
    expect(splitMessage(" \n ", { limit: 10 })).toEqual([]);
    expect(splitMessage("", { limit: 10, markers: true })).toEqual([]);
    expect(splitMessage("hello", { limit: 10, markers: true })).toEqual(["hello"]);
  });

  it("prefers paragraph, then sentence, then word boundaries", () => {
    expect(splitMessage("First paragraph here.\n\nSecond one follows now.", { limit: 30 })).toEqual(
      ["First paragraph here.", "Second one follows now."],
    );
    expect(splitMessage("One sentence here. Another sentence there.", { limit: 30 })).toEqual([
      "One sentence here.",
      "Another sentence there.",
    ]);
    expect(splitMessage("words without any sentence end at all here", { limit: 20 })).toEqual([
      "words without any",
      "sentence end at all",
      "here",
    ]);
  });

  it("hard-splits a word longer than the limit, never inside an emoji", () => {
    expect(splitMessage("a".repeat(25), { limit: 10 })).toEqual([
      "a".repeat(10),
      "a".repeat(10),
      "a".repeat(5),
    ]);
    expect(splitMessage("😀".repeat(5), { limit: 3 })).toEqual(["😀", "😀", "😀", "😀", "😀"]);
    const family = "👩‍👩‍👧";
    expect(splitMessage(family.repeat(3), { limit: family.length + 1 })).toEqual([
      family,
      family,
      family,
    ]);
  });

  it("adds markers within the limit and re-plans when the part count gains a digit", () => {
    const parts = splitMessage("word ".repeat(60), { limit: 20, markers: true });
    expect(parts.length).toBeGreaterThanOrEqual(10);
    for (const [position, part] of parts.entries()) {
      expect(part.length).toBeLessThanOrEqual(20);
      expect(part).toMatch(new RegExp(` \\(${position + 1}/${parts.length}\\)$`));
    }
  });

  it("rejects a limit that is not a positive integer or too small for markers", () => {
    expect(() => splitMessage("hi", { limit: 0 })).toThrow(RangeError);
    expect(() => splitMessage("hi", { limit: 1.5 })).toThrow(RangeError);
    expect(() => splitMessage("hi", { limit: Number.NaN })).toThrow(RangeError);
    expect(() => splitMessage("hello world", { limit: 6, markers: true })).toThrow(/markers/);
  });

  it("handles a 1 MB reply without truncating", () => {
    const huge = "Sentence number one is here. ".repeat(36_000);
    const parts = splitMessage(huge, { limit: 1600 });
    expect(parts.every((part) => part.length <= 1600)).toBe(true);
    expect(parts.join(" ").length).toBe(huge.trim().length);
  });

  it("property: parts fit, are never empty, and reassemble the text", () => {
    fc.assert(
      fc.property(
        text,
        fc.integer({ min: 12, max: 200 }),
        fc.boolean(),
        (input, limit, markers) => {
          const parts = splitMessage(input, { limit, markers });
          for (const part of parts) {
            expect(part.length).toBeLessThanOrEqual(limit);
            expect(part.trim()).not.toBe("");
            expect(isLoneSurrogateAtEdge(part)).toBe(false);
          }
          const bodies =
            markers && parts.length > 1
              ? parts.map((part, position) => {
                  const match = markerPattern.exec(part);
                  expect(match?.[1]).toBe(String(position + 1));
                  expect(match?.[2]).toBe(String(parts.length));
                  return part.slice(0, match!.index);
                })
              : parts;
          expect(bodies.every((body) => body.trim() !== "")).toBe(true);
          expectReassembles(input, bodies);
          if (input.trim().length <= limit)
            expect(parts).toEqual(input.trim() === "" ? [] : [input.trim()]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: arbitrary unicode never loses or breaks characters", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 400 }),
        fc.integer({ min: 2, max: 50 }),
        (input, limit) => {
          const parts = splitMessage(input, { limit });
          for (const part of parts) {
            expect(part.length).toBeLessThanOrEqual(limit);
            expect(isLoneSurrogateAtEdge(part)).toBe(false);
          }
          expectReassembles(input, parts);
        },
      ),
      { numRuns: 300 },
    );
  });
});
