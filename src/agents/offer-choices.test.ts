import { describe, expect, it } from "vitest";
import { choicesFromToolInput } from "./offer-choices.js";

describe("choicesFromToolInput", () => {
  it("makes readable, unique ids from the titles", () => {
    expect(
      choicesFromToolInput(
        {
          text: "When?",
          options: [{ title: "Tomorrow 9:00" }, { title: "tomorrow 9.00" }, { title: "🙂" }],
        },
        { maxQuickReplies: 3 },
      ),
    ).toEqual({
      type: "quick-replies",
      body: "When?",
      options: [
        { id: "tomorrow-9-00", title: "Tomorrow 9:00" },
        { id: "tomorrow-9-00-2", title: "tomorrow 9.00" },
        { id: "option-3", title: "🙂" },
      ],
    });
  });

  it("uses a list when options have descriptions or exceed the channel's buttons", () => {
    expect(
      choicesFromToolInput(
        { text: "Which bike?", options: [{ title: "City", description: "3 gears" }] },
        { maxQuickReplies: 3 },
      ),
    ).toEqual({
      type: "list",
      body: "Which bike?",
      button: "Options",
      options: [{ id: "city", title: "City", description: "3 gears" }],
    });
  });

  it("refuses input without text or options", () => {
    expect(() =>
      choicesFromToolInput({ options: [{ title: "a" }] }, { maxQuickReplies: 3 }),
    ).toThrow(/text/);
    expect(() => choicesFromToolInput({ text: "x", options: [] }, { maxQuickReplies: 3 })).toThrow(
      /option/,
    );
    expect(() =>
      choicesFromToolInput({ text: "x", options: [{}] }, { maxQuickReplies: 3 }),
    ).toThrow(/options\[0\] needs a title/);
  });
});
