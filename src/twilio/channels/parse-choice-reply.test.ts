import { describe, expect, it } from "vitest";
import { card, list, quick } from "./choice-examples.test-support.js";
import { parseChoiceReply } from "./parse-choice-reply.js";
import { renderChoicesAsText } from "./render-choices-as-text.js";

describe("parseChoiceReply", () => {
  it.each([
    ["2", "repair", "number"],
    ["2.", "repair", "number"],
    [" 2 ", "repair", "number"],
    ["#2", "repair", "number"],
    ["(2)", "repair", "number"],
    ["2)", "repair", "number"],
    ["two", "repair", "number"],
    ["Two!", "repair", "number"],
    ["３", "person", "number"],
    ["repairs", "repair", "title"],
    ["REPAIRS.", "repair", "title"],
    ["talk  to a   person", "person", "title"],
    ["2. Repairs", "repair", "number"],
    ["repair", "repair", "id"],
    ["1", "rent", "number"],
  ] as const)("%j picks %s (by %s)", (text, id, matchedBy) => {
    expect(parseChoiceReply(text, quick)).toMatchObject({ choice: { id }, matchedBy });
  });

  it.each([
    "4",
    "0",
    "eleven",
    "2 please",
    "I'd like repairs",
    "3. Repairs",
    "",
    "  ",
    "Rent",
    "x".repeat(300),
  ])("%j is not an answer", (text) => {
    expect(parseChoiceReply(text, quick)).toBeUndefined();
  });

  it("ignores missing bodies", () => {
    expect(parseChoiceReply(undefined, quick)).toBeUndefined();
    expect(parseChoiceReply(null, quick)).toBeUndefined();
  });

  it("reads back a copied list line with its description", () => {
    expect(
      parseChoiceReply("1. Harbor Street - Open 9-17, repairs and rentals", list),
    ).toMatchObject({ choice: { id: "harbor" }, index: 0 });
  });

  it("maps a card's numbers to its reply buttons only", () => {
    expect(parseChoiceReply("1", card)?.choice).toEqual({ id: "more", title: "More bikes" });
    expect(parseChoiceReply("2", card)?.choice.id).toBe("person");
    expect(parseChoiceReply("3", card)).toBeUndefined();
    expect(parseChoiceReply("Book online", card)).toBeUndefined();
  });

  it("round-trips: every rendered option number and title parses back to its option", () => {
    for (const choices of [quick, list, card]) {
      const rendered = renderChoicesAsText(choices);
      const lines = rendered.split("\n").filter((line) => /^\d+\. /.test(line));
      expect(lines.length).toBeGreaterThan(0);
      for (const [position, line] of lines.entries()) {
        expect(parseChoiceReply(String(position + 1), choices)?.index).toBe(position);
        expect(parseChoiceReply(line, choices)?.index).toBe(position);
      }
    }
  });
});
