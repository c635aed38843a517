import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { ConfigError } from "../errors.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { createSwitchboard } from "./create-switchboard.js";
import type { SwitchboardOptions } from "./switchboard-options.js";

const directory = mkdtempSync(join(tmpdir(), "switchboard-options-"));
const mailbox = sqliteMailbox({ path: join(directory, "mailbox.db") });
afterAll(async () => {
  await mailbox.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The error createSwitchboard throws for `extra` on top of valid options (plain JS). */
function refusal(extra: Record<string, unknown>): ConfigError {
  const options = {
    webhook: { verify: false },
    provider: {
      async sendMessage() {
        return { id: `IM${"0".repeat(32)}` };
      },
      async *listMessages() {},
    },
    mailbox,
    agent: functionAgent(async () => "hi"),
    ...extra,
  } as unknown as SwitchboardOptions;
  try {
    createSwitchboard(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(extra)}`);
}

describe("createSwitchboard refuses what it would silently ignore", () => {
  it.each([
    [{ workrs: { concurrency: 2 } }, "workrs", /did you mean workers\?/],
    [{ workers: { concurency: 2 } }, "workers.concurency", /did you mean workers\.concurrency\?/],
    [{ catchUp: { bogus: 1 } }, "catchUp.bogus", /catchUp\.bogus is not an option/],
    [{ webhook: { verify: false, auth_token: "x" } }, "webhook.auth_token", /not an option/],
    [{ catchUp: { requestsPerSecond: null } }, "catchUp.requestsPerSecond", /got null/],
    [{ catchUp: { requestsPerSecond: "5" } }, "catchUp.requestsPerSecond", /got "5"/],
  ])("%j, naming %s", (extra, option, message) => {
    const error = refusal(extra);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });
});
