import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// A leaf everyone may import must import nothing that imports it back: no Twilio, HTTP,
// runtime, storage or faces (architecture: imports point down, never up). Leaves may import
// each other's files; only types may come from the agent, mailbox and runtime boundaries
// (they vanish at runtime) — metrics' wrappers observe an agent and a runtime provider.
const leaves = ["channel", "config", "log", "metrics", "telemetry"];

describe.each(leaves)("leaf %s imports", (leaf) => {
  const folder = new URL(`./${leaf}/`, import.meta.url);
  const files = readdirSync(folder).filter(
    (name) =>
      name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes(".test-support."),
  );

  it.each(files)("%s imports only leaves and packages", (name) => {
    const source = readFileSync(new URL(name, folder), "utf8");
    for (const match of source.matchAll(
      /^(import|export)\s+(type\s+)?[^;]*?\bfrom\s+["']([^"']+)["']/gm,
    )) {
      const [, , typeOnly, specifier] = match as unknown as [
        string,
        string,
        string | undefined,
        string,
      ];
      expect(specifier).not.toMatch(/^(twilio|better-sqlite3|pg|express|fastify)$/);
      if (!specifier.startsWith("..")) continue;
      // errors.js and nearest-name.js import nothing of the project: leaves themselves.
      const allowed =
        /^\.\.\/((errors|nearest-name)\.js|(channel|log|telemetry)\/[\w-]+\.js)$/.test(specifier);
      const typeFromBoundary =
        typeOnly !== undefined && /^\.\.\/(agents|mailbox|runtime)\//.test(specifier);
      expect(allowed || typeFromBoundary, `${name} imports ${specifier}`).toBe(true);
    }
    // Side-effect imports (`import "../x.js"`) and dynamic imports count too.
    expect(source).not.toMatch(/^import\s+["']\.\./m);
    expect(source).not.toMatch(/\bimport\(\s*["']\.\./);
  });
});
