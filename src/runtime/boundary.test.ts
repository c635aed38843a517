import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const importsOf = (folder: URL, name: string) =>
  [...readFileSync(new URL(name, folder), "utf8").matchAll(/\bfrom\s+["']([^"']+)["']/g)].map(
    (match) => match[1]!,
  );

// The runtime knows mailbox, agents and Twilio together, and nothing of the faces above it
// or of the emulator (which stands beside the product; only the CLI wires them together).
// It reaches Twilio only through the narrow RuntimeProvider type and the webhook helpers.
describe("src/runtime imports", () => {
  const folder = new URL("./", import.meta.url);
  const files = readdirSync(folder).filter(
    (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
  );

  it.each(files)("%s imports no emulator, CLI, console, web chat or Twilio SDK", (name) => {
    for (const specifier of importsOf(folder, name)) {
      expect(specifier).not.toMatch(
        /^(twilio|better-sqlite3|pg)$|\/(emulator|cli|console|webchat)\//,
      );
      expect(specifier).not.toMatch(/\/twilio\/provider\//);
    }
  });
});

// The HTTP layer parses HTTP and hands events on; it holds no business rules, so it needs
// neither the mailbox, the agents nor the runtime.
describe("src/http imports", () => {
  const folder = new URL("../http/", import.meta.url);
  const files = readdirSync(folder).filter(
    (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
  );

  it.each(files)("%s imports no runtime, mailbox, agents or emulator", (name) => {
    for (const specifier of importsOf(folder, name)) {
      expect(specifier).not.toMatch(/\/(runtime|mailbox|agents|emulator|cli)\//);
    }
  });
});
