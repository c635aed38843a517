import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Architecture boundary 4: the mailbox knows storage only — no HTTP, no Twilio SDK, no agents,
// no runtime. Leaves (`errors`, `config`, `log`) are allowed, as are storage drivers.
const allowed = [
  /^\.\/[a-z0-9-]+\.js$/,
  /^\.\/core\/[a-z0-9-]+\.js$/,
  /^\.\.\/(errors|config|log)\.js$/,
  /^\.\.\/channel\/channel\.js$/,
  /^node:/,
  /^better-sqlite3$/,
  /^pg$/,
];
// Tests may also use the test kit and vitest.
const allowedInTests = [/^vitest$/, /^\.\.\/testing\//];

describe("mailbox boundary", () => {
  it("imports nothing from HTTP, Twilio, agents or the runtime", async () => {
    const folder = fileURLToPath(new URL(".", import.meta.url));
    const files = (await readdir(folder)).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, import.meta.url), "utf8");
      const rules = file.endsWith(".test.ts") ? [...allowed, ...allowedInTests] : allowed;
      for (const match of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const specifier = match[1]!;
        if (!rules.some((rule) => rule.test(specifier))) offending.push(`${file}: ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("keeps the rule core pure: no driver, no Node, no store", async () => {
    // The core decides; the stores read and write. A driver import here would mean a rule
    // that only one store can follow.
    const folder = fileURLToPath(new URL("./core/", import.meta.url));
    const files = (await readdir(folder)).filter(
      (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
    );
    expect(files.length).toBeGreaterThan(2);
    const offending: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(`./core/${file}`, import.meta.url), "utf8");
      for (const match of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const specifier = match[1]!;
        if (!/^(\.\/[a-z0-9-]+|\.\.\/(mailbox-store|sqlite-rows))\.js$/.test(specifier))
          offending.push(`${file}: ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
