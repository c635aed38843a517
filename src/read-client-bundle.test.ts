import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readClientBundle } from "./read-client-bundle.js";

const folder = mkdtempSync(join(tmpdir(), "client-bundle-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const folderUrl = pathToFileURL(`${folder}/`);

describe("readClientBundle", () => {
  it("points the script at the served source map and hashes the exact bytes", () => {
    writeFileSync(
      join(folder, "console.js"),
      '(() => { "hi"; })();\n//# sourceMappingURL=console.js.map\n',
    );
    writeFileSync(join(folder, "console.js.map"), '{"version":3}');
    const bundle = readClientBundle("console", "/console.js.map", folderUrl);
    expect(bundle.script).toBe('(() => { "hi"; })();\n//# sourceMappingURL=/console.js.map\n');
    expect(bundle.map).toBe('{"version":3}');
    const digest = createHash("sha256").update(bundle.script).digest("base64");
    expect(bundle.hash).toBe(`'sha256-${digest}'`);
  });

  it("says how to build a missing bundle", () => {
    expect(() => readClientBundle("inspector", "inspector.js.map", folderUrl)).toThrow(
      /inspector page's browser bundle .*inspector\.js is missing: run `npm run build`/,
    );
  });

  it("refuses a script that could close its own inline element", () => {
    writeFileSync(join(folder, "webchat.js"), 'document.write("</script>");\n');
    writeFileSync(join(folder, "webchat.js.map"), "{}");
    expect(() => readClientBundle("webchat", "webchat.js.map", folderUrl)).toThrow(/<\/script/);
  });

  it("finds the built bundles from the sources (npm test builds them first)", () => {
    for (const name of ["console", "webchat", "inspector"] as const) {
      const bundle = readClientBundle(name, `${name}.js.map`);
      expect(bundle.script).toMatch(new RegExp(`//# sourceMappingURL=${name}\\.js\\.map\\n$`));
      const map = JSON.parse(bundle.map) as { sources: string[]; sourcesContent: string[] };
      // Browser code only: every source is a client module (no server code bundled in).
      expect(map.sources.length).toBeGreaterThan(0);
      for (const source of map.sources) expect(source).toMatch(/\/client\/[\w-]+\.ts$/);
      expect(map.sourcesContent).toHaveLength(map.sources.length);
    }
  });
});
