import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownToPlainText } from "./markdown-to-plain-text.js";

describe("markdownToPlainText", () => {
  it.each([
    ["# Opening hours", "Opening hours"],
    ["### Deep heading ###", "Deep heading"],
    [
      "We are **open** and *happy* and __bold__ and _fine_ ~~not~~",
      "We are open and happy and bold and fine not",
    ],
    ["See [our site](https://example.com/a_b) now", "See our site (https://example.com/a_b) now"],
    ["[https://example.com](https://example.com)", "https://example.com"],
    ["Mail [hello@x.example](mailto:hello@x.example)", "Mail hello@x.example"],
    ["![logo](https://img.example/logo.png)", "https://img.example/logo.png"],
    ["<https://auto.example/x_y_z>", "https://auto.example/x_y_z"],
    [
      "https://bare.example/a_b_c and more_words_here",
      "https://bare.example/a_b_c and more_words_here",
    ],
    ["* one\n+ two\n  - nested", "- one\n- two\n  - nested"],
    ["1. first\n2. second", "1. first\n2. second"],
    ["> quoted **text**", "quoted text"],
    ["Use `npm start` now", "Use npm start now"],
    ["2*3*4 and snake_case_name", "2*3*4 and snake_case_name"],
    ["Escaped \\*stars\\* stay", "Escaped *stars* stay"],
    ["above\n\n---\n\nbelow", "above\n\nbelow"],
    ["a\n\n\n\n\nb", "a\n\nb"],
    ["| a | b |\n|---|---|", "| a | b |\n|---|---|"],
  ])("%j → %j", (markdown, plain) => {
    expect(markdownToPlainText(markdown)).toBe(plain);
  });

  it("keeps fenced code literally, without the fences", () => {
    expect(markdownToPlainText("Run:\n```sh\necho **not bold** [x](y)\n```\nDone.")).toBe(
      "Run:\necho **not bold** [x](y)\nDone.",
    );
    expect(markdownToPlainText("```\nunclosed *code*")).toBe("unclosed *code*");
  });

  it("property: never throws and never leaves internal placeholders", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (markdown) => {
        const plain = markdownToPlainText(markdown);
        expect(plain).not.toMatch(/[\uE000-\uE004]/);
      }),
    );
  });

  it("passes hostile, unclosed markup through unchanged", () => {
    for (const hostile of [
      "[".repeat(20_000),
      "[a](".repeat(5_000),
      "*a ".repeat(5_000),
      `\`${"word ".repeat(5_000)}`,
    ]) {
      expect(markdownToPlainText(hostile)).toBe(hostile.trim());
    }
    expect(markdownToPlainText(`${" ".repeat(20_000)}x`)).toBe("x");
  });

  it("keeps the words of ordinary prose", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 40 }), (words) => {
        expect(markdownToPlainText(words.join(" "))).toBe(words.join(" ").trim());
      }),
    );
  });
});
