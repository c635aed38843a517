// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { appendEmphasis, emphasisSegments, withoutEmphasisMarks } from "./emphasis.js";

const hostile = "<img src=x onerror=alert(1)>";

describe("chat Markdown emphasis", () => {
  it("splits bold, italics and underscores, leaving snake_case alone", () => {
    expect(emphasisSegments("**Open** *today* _and_ snake_case_name")).toEqual([
      { kind: "strong", text: "Open" },
      { kind: "text", text: " " },
      { kind: "em", text: "today" },
      { kind: "text", text: " " },
      { kind: "em", text: "and" },
      { kind: "text", text: " snake_case_name" },
    ]);
    expect(withoutEmphasisMarks("**14 Quay Street**, *Harbor*")).toBe("14 Quay Street, Harbor");
  });

  it("builds text nodes and strong/em elements, never markup from the message", () => {
    const parent = document.createElement("div");
    appendEmphasis(parent, `**${hostile}** and ${hostile}`);
    expect(parent.querySelector("img")).toBeNull();
    expect(parent.querySelector("strong")?.textContent).toBe(hostile);
    expect(parent.textContent).toBe(`${hostile} and ${hostile}`);
  });
});
