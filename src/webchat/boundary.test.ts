import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The console and the web chat are thin faces (architecture boundary 1): they reach the
// rest of switchboard only through the deps interfaces they declare, so they import
// nothing but Node built-ins, the shared errors, the browser-bundle reader, and each other's HTTP helpers. Test
// files may also use the test kit's browser driver and vitest.
describe.each(["../webchat/", "../console/"])("src/%s imports", (folderPath) => {
  const folder = new URL(folderPath, import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith(".ts"));

  it.each(files)("%s imports only built-ins, errors and the faces", (name) => {
    const source = readFileSync(new URL(name, folder), "utf8");
    const imports = [...source.matchAll(/\bfrom\s+["']([^"']+)["']/g)].map((match) => match[1]!);
    const testOnly = name.endsWith(".test.ts") ? ["vitest", "playwright-core"] : [];
    for (const specifier of imports) {
      const allowed =
        specifier.startsWith("node:") ||
        specifier === "../errors.js" ||
        specifier === "../read-client-bundle.js" ||
        /^\.\/[a-z-]+(\.test-support)?\.js$/.test(specifier) ||
        /^\.\.\/(webchat|console)\/[a-z-]+(\.test-support)?\.js$/.test(specifier) ||
        testOnly.includes(specifier);
      expect(allowed, `${name} imports ${specifier}`).toBe(true);
    }
  });
});
