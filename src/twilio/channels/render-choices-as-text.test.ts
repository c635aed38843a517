import { describe, expect, it } from "vitest";
import { card, list, quick } from "./choice-examples.test-support.js";
import type { ChoiceCard } from "./choices.js";
import { renderChoicesAsText } from "./render-choices-as-text.js";
import { smsSegments } from "./sms-segments.js";

describe("renderChoicesAsText", () => {
  it("numbers quick replies under the body", () => {
    expect(renderChoicesAsText(quick)).toBe(
      "What can we help with?\n\n1. Rent a bike\n2. Repairs\n3. Talk to a person\nReply with a number.",
    );
  });

  it("adds a list's descriptions after a hyphen, keeping the text GSM-7", () => {
    const text = renderChoicesAsText(list);
    expect(text).toBe(
      "Pick a shop\n\n1. Harbor Street - Open 9-17, repairs and rentals\n2. Station Square\nReply with a number.",
    );
    expect(smsSegments(text).encoding).toBe("GSM-7");
  });

  it("writes a card's heading, numbered reply buttons and links", () => {
    expect(renderChoicesAsText(card)).toBe(
      [
        "City bike\n$12 per hour\nhttps://bikes.example/city.jpg",
        "1. More bikes\n2. Talk to a person\nReply with a number.",
        "Book online: https://bikes.example/book\nCall us: +15550132400",
      ].join("\n\n"),
    );
  });

  it("leaves out the hint when a card has nothing to answer", () => {
    const links: ChoiceCard = {
      type: "card",
      title: "City bike",
      actions: [{ type: "url", title: "Book", url: "https://bikes.example/book" }],
    };
    expect(renderChoicesAsText(links)).toBe("City bike\n\nBook: https://bikes.example/book");
  });
});
