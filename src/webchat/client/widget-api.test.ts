import { describe, expect, it } from "vitest";
import { errorText } from "./widget-api.js";

describe("errorText", () => {
  it("drops the backticks the API puts around field names: a visitor reads it", () => {
    expect(
      errorText({ error: { code: "x", message: "`choiceId` must be text." } }, "Failed."),
    ).toBe("choiceId must be text.");
  });

  it("falls back when the server says nothing usable", () => {
    expect(errorText(null, "Failed.")).toBe("Failed.");
    expect(errorText({ error: { code: "x", message: "``" } }, "Failed.")).toBe("Failed.");
  });
});
