import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formFields } from "./form-fields.js";

const standard = (body: string) => [...new URLSearchParams(body)].flat();

describe("formFields", () => {
  it("decodes a webhook body as URLSearchParams does", () => {
    const body = new URLSearchParams({
      EventType: "onMessageAdded",
      Author: "+15551230001",
      Body: "Hi, what are 100% your hours? é 😀 a+b=c&d",
      Attributes: '{"a":[1,2]}',
      DateCreated: "2026-12-07T04:56:53.123Z",
    }).toString();
    expect(formFields(body)).toEqual(standard(body));
  });

  it.each([
    "",
    "&",
    "&&a=1&&",
    "a",
    "a=",
    "=b",
    "=",
    "a=1&a=2&b",
    "a=1=2",
    "a+b=c+d",
    "%41%42=%43",
    "a=%",
    "a=%4",
    "a=%zz&b=2",
    "a=%FF&b=%C3",
    "a=%ED%A0%80",
    "a=%C3%A9%2B",
    "a=caf\u00e9&b=\u{1F600}",
    "a=\uD800&b=1",
    "a=%f0%9f%98%80",
  ])("matches URLSearchParams for %j", (body) => {
    expect(formFields(body)).toEqual(standard(body));
  });

  it("matches URLSearchParams on any body made of the characters that matter", () => {
    const pieces = ["a", "b", "=", "&", "+", "%", "2", "B", "F", "C", "3", "é", "\uD83D", "\uDE00"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), (chosen) => {
        const body = chosen.join("");
        expect(formFields(body)).toEqual(standard(body));
      }),
      { numRuns: 2_000 },
    );
  });
});
