import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Architecture boundary 4, as for the SQLite mailbox: storage only. This folder may use the
// mailbox's shared parts one level up, the leaves, Node and the `pg` driver.
const allowed = [
  /^\.\/[a-z0-9-]+\.js$/,
  /^\.\.\/(mailbox-errors|mailbox-store|reply-id|sqlite-rows|validate-mailbox-input|write-batcher|notice-hub|ledger-rows|validate-ledger-input|validate-journal-step|customer-rows|mailbox-customers|validate-customer-input|validate-inbound-dead-letter|compose-turn-context)\.js$/,
  // The shared rule core: the scheduling rules both stores follow.
  /^\.\.\/core\/[a-z0-9-]+\.js$/,
  /^\.\.\/\.\.\/(errors|config|log)\.js$/,
  /^node:/,
  /^pg$/,
];
// Tests and their support file may also use vitest and the test kit.
const allowedInTests = [/^vitest$/, /^\.\.\/\.\.\/testing\//, /^\.\/test-support\/[a-z0-9-]+\.js$/];
const isTestCode = (file: string) => file.endsWith(".test.ts");

describe("postgres mailbox boundary", () => {
  it("imports nothing from HTTP, Twilio, agents or the runtime", async () => {
    const folder = fileURLToPath(new URL(".", import.meta.url));
    const files = (await readdir(folder)).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, import.meta.url), "utf8");
      const rules = isTestCode(file) ? [...allowed, ...allowedInTests] : allowed;
      for (const match of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const specifier = match[1]!;
        if (!rules.some((rule) => rule.test(specifier))) offending.push(`${file}: ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("keeps test support out of the public surface", async () => {
    const index = await readFile(new URL("./index.ts", import.meta.url), "utf8");
    expect(index).not.toMatch(/test-support|vitest/);
  });
});
