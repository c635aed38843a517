import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/**
 * The packages a fresh Node process has loaded after running `script` (an ES module that may
 * import `switchboard…` by name: the package references itself through "exports", as an
 * installed copy would). The drivers are CommonJS, so the require cache lists them.
 */
async function packagesLoadedBy(script: string): Promise<string[]> {
  const probe = `${script}
const { createRequire } = await import("node:module");
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .filter((path) => path.includes("/node_modules/"))
  .map((path) => path.split("/node_modules/").pop().split("/")[0]);
process.stdout.write(JSON.stringify([...new Set(loaded)]));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
    cwd: root,
    timeout: 60_000,
  });
  return JSON.parse(stdout) as string[];
}

beforeAll(() => {
  if (!existsSync(`${root}dist/index.js`))
    throw new Error("dist/ is missing: run npm run build (npm test does it first).");
});

describe('import("switchboard")', () => {
  it("loads neither pg nor better-sqlite3", async () => {
    const loaded = await packagesLoadedBy(
      'const { TwilioProvider, createSwitchboard, sqliteMailbox } = await import("switchboard"); if (typeof TwilioProvider !== "function" || typeof createSwitchboard !== "function" || typeof sqliteMailbox !== "function") throw new Error("missing export");',
    );
    expect(loaded).not.toContain("pg");
    expect(loaded).not.toContain("better-sqlite3");
  });

  it("the probe sees the drivers when they are used: switchboard/postgres loads pg, a SQLite mailbox better-sqlite3", async () => {
    expect(await packagesLoadedBy('await import("switchboard/postgres");')).toContain("pg");
    const sqlite = await packagesLoadedBy(
      'const { sqliteMailbox } = await import("switchboard"); await sqliteMailbox({ path: ":memory:" }).close();',
    );
    expect(sqlite).toContain("better-sqlite3");
    expect(sqlite).not.toContain("pg");
  });
});
