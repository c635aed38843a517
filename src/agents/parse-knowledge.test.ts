import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseKnowledge } from "./parse-knowledge.js";
import { sampleKnowledgePath } from "./sample-knowledge-path.js";

describe("parseKnowledge", () => {
  it("reads ## headings as questions and the text below as answers", () => {
    const knowledge = parseKnowledge(
      "# Shop\n\nIntro text.\n\n## When are you open?\n\nEvery day,\n9 to 5.\n\n### Holidays\nClosed.\n\n## Where?\nHere.",
    );
    expect(knowledge.title).toBe("Shop");
    expect(knowledge.entries).toEqual([
      {
        question: "When are you open?",
        answer: "Every day, 9 to 5.\n\n### Holidays\nClosed.",
        keywords: [],
      },
      { question: "Where?", answer: "Here.", keywords: [] },
    ]);
  });

  it("reads Q:/A: pairs, with a preceding ## heading as their section keyword", () => {
    const knowledge = parseKnowledge(
      "## Shipping\nQ: Do you ship abroad?\nA: Not yet.\nMaybe next year.\n\n**Q:** How much\nis shipping?\n**A:** $7.\n",
    );
    expect(knowledge.entries).toEqual([
      {
        question: "Do you ship abroad?",
        answer: "Not yet. Maybe next year.",
        keywords: ["Shipping"],
      },
      { question: "How much is shipping?", answer: "$7.", keywords: ["Shipping"] },
    ]);
  });

  it("extracts keyword comments and keeps lists and code as lines", () => {
    const knowledge = parseKnowledge(
      "## Prices?\n<!-- keywords: cost, how much -->\n- A: $1\n- B: $2\n\n```\n## not a heading\n```\n",
    );
    expect(knowledge.entries).toHaveLength(1);
    expect(knowledge.entries[0]).toEqual({
      question: "Prices?",
      answer: "- A: $1\n- B: $2\n\n```\n## not a heading\n```",
      keywords: ["cost", "how much"],
    });
  });

  it("drops questions without answers and survives junk", () => {
    expect(parseKnowledge("## Empty?\n\n## Also empty\n").entries).toEqual([]);
    expect(parseKnowledge("").entries).toEqual([]);
    expect(parseKnowledge("just some text\nwith no questions").entries).toEqual([]);
    expect(parseKnowledge("Q: dangling question").entries).toEqual([]);
    expect(parseKnowledge("\u0000\uFFFF## \n#").entries).toEqual([]);
  });

  it("parses the shipped sample into 15–25 questions, all answered", () => {
    const knowledge = parseKnowledge(readFileSync(sampleKnowledgePath, "utf8"));
    expect(knowledge.title).toBe("Harbor Bikes");
    expect(knowledge.entries.length).toBeGreaterThanOrEqual(15);
    expect(knowledge.entries.length).toBeLessThanOrEqual(25);
    for (const entry of knowledge.entries) {
      expect(entry.answer.length).toBeGreaterThan(40);
      expect(entry.answer).not.toContain("<!--");
      expect(entry.keywords.length).toBeGreaterThan(0);
    }
  });
});
