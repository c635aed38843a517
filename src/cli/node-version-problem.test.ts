import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "./node-version-problem.js";

describe("nodeVersionProblem", () => {
  it.each(["22.0.0", "v22.23.3", "24.1.0", "30.0.0"])("accepts Node %s", (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(["20.20.2", "v18.19.0", "garbage"])(
    "refuses Node %s in one line naming 22",
    (version) => {
      const problem = nodeVersionProblem(version);
      expect(problem).toMatch(/^switchboard needs Node\.js 22 or newer; this is Node\.js v/);
      expect(problem).not.toContain("\n");
    },
  );
});

// Debian 12 ships Node 20 as /usr/bin/node (CI puts 22 first on PATH): the built CLI,
// started by that old Node, must say so in one line and exit 1 rather than half-work.
const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find(
  (path) =>
    existsSync(path) &&
    Number(execFileSync(path, ["-p", "process.versions.node.split('.')[0]"]).toString()) < 22,
);
const cli = resolve("dist/cli/main.js");

describe.skipIf(oldNode === undefined || !existsSync(cli))("the built CLI on an old Node", () => {
  it("exits 1 with one line naming the version needed", () => {
    const result = spawnSync(oldNode!, [cli, "dev"], { encoding: "utf8", env: {} });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/needs Node\.js 22 or newer; this is Node\.js v\d+/);
  });
});
