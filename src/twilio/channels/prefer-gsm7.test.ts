import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gsm7Replacements, preferGsm7 } from "./prefer-gsm7.js";
import { isGsm7Character, isGsm7Text, smsSegments } from "./sms-segments.js";

describe("preferGsm7: the character mapping", () => {
  it.each([
    ["It\u2019s here", "It's here"],
    ["\u2018quoted\u2019", "'quoted'"],
    ["\u201CHello\u201D", '"Hello"'],
    ["\u201Elow\u201C", '"low"'],
    ["\u00ABguillemets\u00BB", '"guillemets"'],
    ["9\u201312", "9-12"],
    ["wait\u2014what", "wait-what"],
    ["\u22125 degrees", "-5 degrees"],
    ["non\u2011breaking", "non-breaking"],
    ["and so on\u2026", "and so on..."],
    ["a\u00A0b", "a b"],
    ["a\u2009b\u202Fc", "a b c"],
    ["zero\u200Bwidth\u200D", "zerowidth"],
    ["\uFEFFstart", "start"],
    ["soft\u00ADhyphen", "softhyphen"],
    ["\u2022 one\n\u2022 two", "- one\n- two"],
    ["tab\there", "tab here"],
    ["`code`", "'code'"],
    ["3\u00D74", "3x4"],
    ["Settings \u2192 Privacy", "Settings -> Privacy"],
    ["line\u2028break", "line\nbreak"],
  ])("%j → %j", (input, expected) => {
    expect(preferGsm7(input)).toBe(expected);
    expect(smsSegments(preferGsm7(input)).encoding).toBe("GSM-7");
  });

  it("maps every table entry to GSM-7 text", () => {
    for (const [from, to] of Object.entries(gsm7Replacements)) {
      expect(isGsm7Character(from), `${JSON.stringify(from)} is already GSM-7`).toBe(false);
      expect(isGsm7Text(to), `${JSON.stringify(from)} → ${JSON.stringify(to)}`).toBe(true);
    }
  });
});

describe("preferGsm7: when not to map", () => {
  it.each([
    ["an emoji anywhere keeps the curly quotes", "It\u2019s done \u{1F44D}"],
    ["Cyrillic", "\u041F\u0440\u0438\u0432\u0435\u0442 \u2014 \u0434\u0430"],
    ["Chinese", "\u4F60\u597D\u2026"],
    ["a Latin letter outside GSM-7", "Caf\u00E1 \u201Copen\u201D"],
    ["Greek lower case", "\u03B1\u03B2\u03B3 \u2013 test"],
  ])("leaves text that needs UCS-2 anyway alone: %s", (_name, text) => {
    expect(preferGsm7(text)).toBe(text);
    expect(smsSegments(preferGsm7(text)).encoding).toBe("UCS-2");
  });

  it("returns GSM-7 text unchanged, extension characters included", () => {
    for (const text of ["plain", "€5 {x} [y] ~z^ |", "@£$¥èéùìòÇØøÅåΔ_ÆæßÉ", ""]) {
      expect(preferGsm7(text)).toBe(text);
    }
  });

  it("never touches letters, digits or GSM-7 punctuation", () => {
    expect(preferGsm7("Caf\u00E9 \u2019")).toBe("Caf\u00E9 '");
  });

  it("turns a model's typical reply from 2 UCS-2 segments into 1 GSM-7 segment", () => {
    const reply =
      "We\u2019re open 9\u201317 on weekdays \u2014 and on Saturdays, too\u2026 Call us if you\u2019d like a \u201Cquick\u201D chat before you come by.";
    expect(smsSegments(reply)).toMatchObject({ encoding: "UCS-2", segments: 2 });
    expect(smsSegments(preferGsm7(reply))).toMatchObject({ encoding: "GSM-7", segments: 1 });
  });

  it("property: the result is either the input unchanged or GSM-7 text", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(..."ab ,.'", ...Object.keys(gsm7Replacements), "\u{1F600}", "\u0436"),
          { maxLength: 80 },
        ),
        (characters) => {
          const text = characters.join("");
          const result = preferGsm7(text);
          if (result !== text) expect(isGsm7Text(result)).toBe(true);
          if (!isGsm7Text(result)) expect(result).toBe(text);
        },
      ),
    );
  });
});
