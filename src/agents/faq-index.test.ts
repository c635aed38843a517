import { describe, expect, it } from "vitest";
import { FaqIndex, stem, termsOf } from "./faq-index.js";

const entry = (question: string, answer: string, keywords: string[] = []) => ({
  question,
  answer,
  keywords,
});

describe("termsOf and stem", () => {
  it("drops stop words and meets word forms at one stem", () => {
    expect(termsOf("What are your opening hours?")).toEqual(["open", "hour"]);
    expect(["rentals", "rental", "renting", "rented"].map(stem)).toEqual([
      "rental",
      "rental",
      "rent",
      "rent",
    ]);
    expect(stem("accessories")).toBe("accessory");
    expect(termsOf("?!  …")).toEqual([]);
  });
});

describe("FaqIndex", () => {
  it("gives the same coverage whatever the size of the knowledge", () => {
    const one = new FaqIndex([entry("Do you sell coffee?", "Yes.")]);
    const many = new FaqIndex([
      entry("Do you sell coffee?", "Yes."),
      ...Array.from({ length: 50 }, (_, position) =>
        entry(`Question ${position} about tea`, `Answer ${position}.`),
      ),
    ]);
    expect(one.search("coffee")[0]?.coverage).toBe(1);
    expect(many.search("coffee")[0]?.coverage).toBe(1);
    expect(one.search("coffee and cake")[0]?.coverage).toBe(0.5);
  });

  it("counts a word found only in an answer as half", () => {
    const index = new FaqIndex([entry("Where are you?", "Next to the ferry terminal.")]);
    expect(index.search("ferry")[0]?.coverage).toBe(0.5);
    expect(index.search("where ferry")[0]?.coverage).toBe(0.75);
  });

  it("ranks the entry that explains the whole question first", () => {
    const index = new FaqIndex([
      entry("Bike bike bike?", "bike bike bike bike"),
      entry("How much is a bike rental?", "$12 an hour.", ["price"]),
    ]);
    expect(index.search("bike rental price")[0]?.entry.question).toBe("How much is a bike rental?");
  });

  it("tolerates typos and prefixes", () => {
    const index = new FaqIndex([entry("Do you repair bicycles?", "Yes.")]);
    expect(index.search("repar")[0]?.coverage).toBe(1);
    expect(index.search("bicyc")[0]?.coverage).toBe(1);
  });
});
