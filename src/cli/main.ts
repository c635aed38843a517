#!/usr/bin/env node
/**
 * The `switchboard` command. Each subcommand lives in its own file and is loaded on
 * demand so `switchboard --help` stays fast.
 */
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));
