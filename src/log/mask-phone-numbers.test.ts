import { describe, expect, it } from "vitest";
import { maskPersonalAddress } from "./mask-phone-numbers.js";

describe("maskPersonalAddress", () => {
  it.each([
    ["+15551230001", "+1555***0001"],
    ["whatsapp:+15551230001", "whatsapp:+1555***0001"],
    ["alice@example.com", "al***om"],
    ["operator", "operator"],
    ["harbor-bot", "harbor-bot"],
    [
      "visitor-0b6c2f0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
      "visitor-0b6c2f0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
    ],
  ])("%s → %s", (address, shown) => {
    expect(maskPersonalAddress(address)).toBe(shown);
  });
});
