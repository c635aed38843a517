import { describe, expect, it } from "vitest";
import { classifyMessage, withoutGreeting } from "./classify-message.js";

describe("classifyMessage", () => {
  it.each([
    ["human", "handoff"],
    ["Agent!", "handoff"],
    ["a real person please", "handoff"],
    ["Can I talk to someone?", "handoff"],
    ["I want to speak with a representative about my order", "handoff"],
    ["Can a person under 16 rent an e-bike on their own?", "question"],
    ["hi", "greeting"],
    ["Hello there!", "greeting"],
    ["good morning 👋", "greeting"],
    ["thanks!", "thanks"],
    ["ok thank you so much", "thanks"],
    ["what are your hours?", "question"],
    ["hi, what are your hours?", "question"],
    ["", "empty"],
    ["  ?! 🙂 ", "empty"],
  ])("%j is %s", (text, intent) => {
    expect(classifyMessage(text)).toBe(intent);
  });
});

describe("withoutGreeting", () => {
  it("drops a leading greeting only", () => {
    expect(withoutGreeting("Hi there, what are your hours?")).toBe("what are your hours?");
    expect(withoutGreeting("Good morning! Do you rent bikes?")).toBe("Do you rent bikes?");
    expect(withoutGreeting("Highway bikes?")).toBe("Highway bikes?");
    expect(withoutGreeting("where is it? hi")).toBe("where is it? hi");
  });
});
