import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isGsm7Character, isGsm7Text, smsSegments } from "./sms-segments.js";

describe("smsSegments", () => {
  it.each([
    ["", "GSM-7", 0, 0],
    ["a".repeat(160), "GSM-7", 1, 160],
    ["a".repeat(161), "GSM-7", 2, 161],
    ["a".repeat(306), "GSM-7", 2, 306],
    ["a".repeat(307), "GSM-7", 3, 307],
    ["€".repeat(80), "GSM-7", 1, 160],
    ["€".repeat(81), "GSM-7", 2, 162],
    ["Hello @ £5 — thanks", "UCS-2", 1, 19],
    ["ü".repeat(160), "GSM-7", 1, 160],
    ["ж".repeat(70), "UCS-2", 1, 70],
    ["ж".repeat(71), "UCS-2", 2, 71],
    ["ж".repeat(134), "UCS-2", 2, 134],
    ["ж".repeat(135), "UCS-2", 3, 135],
    ["😀".repeat(35), "UCS-2", 1, 70],
  ] as const)("%j → %s, %i segment(s), %i units", (text, encoding, segments, units) => {
    expect(smsSegments(text)).toMatchObject({ encoding, segments, units });
  });

  it("never splits a two-unit character across segments", () => {
    // 152 plain septets then "{": 154 septets would split the escape pair, so it moves on.
    expect(smsSegments(`${"a".repeat(152)}{${"a".repeat(10)}`).segments).toBe(2);
    expect(smsSegments(`${"a".repeat(152)}{${"a".repeat(152)}`).segments).toBe(3);
    // 66 UCS-2 units then an emoji (2 units): 68 > 67, so the emoji starts segment two.
    expect(smsSegments(`${"ж".repeat(66)}😀${"ж".repeat(66)}`).segments).toBe(3);
  });

  it("counts characters as a person does", () => {
    expect(smsSegments("😀é").characters).toBe(2);
  });

  it("property: segments are bounded by the encoding's capacity", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 600 }), (text) => {
        const result = smsSegments(text);
        const [single, concatenated] = result.encoding === "GSM-7" ? [160, 153] : [70, 67];
        if (result.units === 0) expect(result.segments).toBe(0);
        else if (result.units <= single) expect(result.segments).toBe(1);
        else {
          expect(result.segments).toBeGreaterThanOrEqual(Math.ceil(result.units / concatenated));
          expect(result.segments).toBeLessThanOrEqual(Math.ceil(result.units / (concatenated - 1)));
        }
      }),
    );
  });
});

describe("isGsm7Text and isGsm7Character", () => {
  it("accept the basic and extension tables and nothing else", () => {
    expect(isGsm7Text("Hello @ £5 {x} €")).toBe(true);
    expect(isGsm7Text("")).toBe(true);
    expect(isGsm7Text("It\u2019s")).toBe(false);
    expect(isGsm7Text("\u{1F600}")).toBe(false);
    expect(isGsm7Character("\u20AC")).toBe(true);
    expect(isGsm7Character("\u00E1")).toBe(false);
    expect(isGsm7Character("`")).toBe(false);
  });
});
