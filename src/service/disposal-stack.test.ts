import { describe, expect, it } from "vitest";
import { DisposalStack } from "./disposal-stack.js";

describe("DisposalStack", () => {
  it("runs steps newest first, each once, and goes on past a failing one", async () => {
    const stack = new DisposalStack();
    const ran: string[] = [];
    stack.defer(() => ran.push("mailbox"));
    stack.defer(() => {
      ran.push("provider");
      throw new Error("stop failed");
    });
    stack.defer(async () => {
      ran.push("server");
    });
    await expect(stack.dispose()).rejects.toThrow("stop failed");
    expect(ran).toEqual(["server", "provider", "mailbox"]);
    await expect(stack.dispose()).rejects.toThrow("stop failed");
    expect(ran).toHaveLength(3);
    expect(() => stack.defer(() => {})).toThrow(/disposed/);
  });
});
