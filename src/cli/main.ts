#!/usr/bin/env node
/**
 * The `switchboard` command. Each subcommand lives in its own file and is loaded on
 * demand so `switchboard --help` stays fast. The Node.js version is checked before
 * anything else is loaded, so an old Node prints one clear line instead of a stack.
 */
import { nodeVersionProblem } from "./node-version-problem.js";

const problem = nodeVersionProblem(process.versions.node);
if (problem === undefined) {
  const { runCli } = await import("./run-cli.js");
  process.exitCode = await runCli(process.argv.slice(2));
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
