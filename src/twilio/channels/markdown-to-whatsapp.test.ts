import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownToWhatsApp } from "./markdown-to-whatsapp.js";

describe("markdownToWhatsApp", () => {
  it.each([
    ["**bold**", "*bold*"],
    ["__bold__", "*bold*"],
    ["*italic* and _italic_", "_italic_ and _italic_"],
    ["~~struck~~", "~struck~"],
    ["**bold with *italic* inside**", "*bold with _italic_ inside*"],
    ["`code`", "```code```"],
    ["# Hours", "*Hours*"],
    ["## **Already bold** heading", "*Already bold heading*"],
    ["[Book now](https://bikes.example/book?a_b=1)", "Book now (https://bikes.example/book?a_b=1)"],
    ["![map](https://img.example/map.png)", "https://img.example/map.png"],
    ["* one\n* two", "- one\n- two"],
    ["> a quote", "> a quote"],
    ["snake_case_name and 2*3*4", "snake_case_name and 2*3*4"],
  ])("%j → %j", (markdown, whatsapp) => {
    expect(markdownToWhatsApp(markdown)).toBe(whatsapp);
  });

  it("keeps code blocks monospaced and untouched", () => {
    expect(markdownToWhatsApp("```js\nconst a = **b**;\n```")).toBe("```\nconst a = **b**;\n```");
  });

  it("property: never throws and never leaves internal placeholders", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (markdown) => {
        expect(markdownToWhatsApp(markdown)).not.toMatch(/[\uE000-\uE004]/);
      }),
    );
  });
});
