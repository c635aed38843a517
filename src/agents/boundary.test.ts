import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The agent boundary must stay free of Twilio and storage, so an agent can be built and
// tested with nothing but a turn (architecture: imports point down, never up).
describe("src/agents imports", () => {
  const folder = new URL("./", import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith(".ts"));

  it.each(files)("%s imports nothing from Twilio, storage, HTTP or the runtime", (name) => {
    const source = readFileSync(new URL(name, folder), "utf8");
    const imports = [...source.matchAll(/\bfrom\s+["']([^"']+)["']/g)].map((match) => match[1]!);
    for (const specifier of imports) {
      expect(specifier).not.toMatch(
        /^(twilio|better-sqlite3|pg)$|\/(twilio|mailbox|runtime|http|emulator|cli)\//,
      );
    }
  });
});
