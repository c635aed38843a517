import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The public surface, one line per export: `<subpath> <name> <kind>`, kinds `type`,
 * `function`, `class`, `object`, `string`, `number`… The checked-in list
 * (`public-api.snapshot.txt`) makes every change to it visible in review. After a deliberate
 * change, regenerate it with
 *
 *     UPDATE_API_SNAPSHOT=1 npx vitest run src/public-api.test.ts
 *
 * and commit the diff with the change.
 */
const entries: Record<string, string> = {
  switchboard: "./index.ts",
  "switchboard/postgres": "./mailbox/postgres/index.ts",
  "switchboard/service": "./service/index.ts",
  "switchboard/emulator": "./emulator/index.ts",
  "switchboard/testing": "./testing/index.ts",
};
const snapshotUrl = new URL("./public-api.snapshot.txt", import.meta.url);

/** The names an entry file exports, read from its `export { … } from` lists. */
function declaredExports(source: string): { name: string; typeOnly: boolean }[] {
  const exports: { name: string; typeOnly: boolean }[] = [];
  for (const match of source.matchAll(/^export\s+(type\s+)?\{([^}]*)\}\s+from\s/gm)) {
    const allTypes = match[1] !== undefined;
    for (const raw of match[2]!.split(",")) {
      const item = raw.replace(/\/\/.*$/gm, "").trim();
      if (item === "") continue;
      const typeOnly = allTypes || item.startsWith("type ");
      const name = item
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      exports.push({ name, typeOnly });
    }
  }
  return exports;
}

function kindOf(value: unknown): string {
  if (typeof value === "function")
    return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "class" : "function";
  return value === null ? "null" : typeof value;
}

async function surface(): Promise<string[]> {
  const lines: string[] = [];
  for (const [subpath, file] of Object.entries(entries)) {
    const source = readFileSync(new URL(file, import.meta.url), "utf8");
    const loaded = (await import(file)) as Record<string, unknown>;
    for (const { name, typeOnly } of declaredExports(source))
      lines.push(`${subpath} ${name} ${typeOnly ? "type" : kindOf(loaded[name])}`);
  }
  return lines.sort();
}

describe("the public API", () => {
  it.each(Object.entries(entries))("%s names its exports (no `export *`)", (_subpath, file) => {
    const source = readFileSync(new URL(file, import.meta.url), "utf8");
    expect(source).not.toMatch(/^export\s+\*/m);
    expect(source).not.toMatch(/^export\s+(const|let|function|class|async)\b/m);
  });

  it.each(Object.entries(entries))(
    "%s: the values read from the source are exactly what the module exports",
    async (_subpath, file) => {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      const loaded = (await import(file)) as Record<string, unknown>;
      const values = declaredExports(source)
        .filter((entry) => !entry.typeOnly)
        .map((entry) => entry.name);
      expect(values.sort()).toEqual(Object.keys(loaded).sort());
    },
  );

  it("matches public-api.snapshot.txt (UPDATE_API_SNAPSHOT=1 to accept a change)", async () => {
    const current = `${(await surface()).join("\n")}\n`;
    if (process.env.UPDATE_API_SNAPSHOT === "1") writeFileSync(snapshotUrl, current);
    const recorded = readFileSync(snapshotUrl, "utf8");
    expect(current).toBe(recorded);
  });

  it("the root exposes no faces, service composition, metrics or PostgreSQL", async () => {
    const root = (await import("./index.js")) as Record<string, unknown>;
    for (const name of [
      "createService",
      "createConsoleApi",
      "createWebchatApi",
      "createRuntimeConsoleDeps",
      "createProviderWebchatDeps",
      "createMetrics",
      "postgresMailbox",
      "postgresPacer",
    ])
      expect(root[name], name).toBeUndefined();
  });
});
