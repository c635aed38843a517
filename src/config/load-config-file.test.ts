import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigFileError } from "./config-file-error.js";
import { loadConfigFile } from "./load-config-file.js";

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchboard-config-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const write = (name: string, text: string) => writeFile(join(directory, name), text);

async function loadError(options: Parameters<typeof loadConfigFile>[0]): Promise<ConfigFileError> {
  const error = await loadConfigFile(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigFileError);
  return error as ConfigFileError;
}

describe("loadConfigFile", () => {
  it("returns undefined when there is no config file", async () => {
    expect(await loadConfigFile({ cwd: directory })).toBeUndefined();
  });

  it("imports a TypeScript file with type annotations", async () => {
    await write(
      "switchboard.config.ts",
      `interface Settings { port: number; webhookPath: string }
const settings: Settings = { port: 8080, webhookPath: "/hooks/twilio" };
export default { ...settings, handoffKeywords: ["human"] as string[] };
`,
    );
    const loaded = await loadConfigFile({ cwd: directory });
    expect(loaded?.path).toBe(join(directory, "switchboard.config.ts"));
    expect(loaded?.config).toEqual({
      port: 8080,
      webhookPath: "/hooks/twilio",
      handoffKeywords: ["human"],
    });
  });

  it("imports .mjs and .js files, keeping an agent object as it is", async () => {
    await write(
      "switchboard.config.mjs",
      `export const agent = { respond: async () => ({ text: "hi" }) };
export default { agent, policy: { mode: "burst", windowMs: 2000 } };
`,
    );
    const loaded = await loadConfigFile({ cwd: directory });
    const module = (await import(join(directory, "switchboard.config.mjs"))) as {
      agent: object;
    };
    expect(loaded?.config.agent).toBe(module.agent);
    expect(loaded?.config.policy).toEqual({ mode: "burst", windowMs: 2000 });

    await write("other.config.js", `export default { agent: "faq", port: 0 };\n`);
    const explicit = await loadConfigFile({ cwd: directory, path: "other.config.js" });
    expect(explicit).toEqual({
      path: join(directory, "other.config.js"),
      config: { agent: "faq", port: 0 },
    });
  });

  it("takes the interrupt policy, and refuses it with a window or a misspelt mode", async () => {
    await write("switchboard.config.mjs", `export default { policy: { mode: "interrupt" } };\n`);
    expect((await loadConfigFile({ cwd: directory }))?.config.policy).toEqual({
      mode: "interrupt",
    });
    const refused = ['{ mode: "interrupt", windowMs: 500 }', '{ mode: "interupt" }'];
    for (const [position, policy] of refused.entries()) {
      // A file name per case: an imported module is cached by its path.
      const path = `refused-${position}.config.mjs`;
      await write(path, `export default { policy: ${policy} };\n`);
      const error = await loadError({ cwd: directory, path });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/^policy(\.mode|\.windowMs)?:/);
    }
  });

  it("prefers .ts over .js when both exist", async () => {
    await write("switchboard.config.js", "export default { port: 1 };\n");
    await write("switchboard.config.ts", "export default { port: 2 as number };\n");
    expect((await loadConfigFile({ cwd: directory }))?.config.port).toBe(2);
  });

  it("names an unknown key and the file, with a suggestion", async () => {
    await write(
      "switchboard.config.mjs",
      `export default { prot: 3000, channels: { sms: { marker: true } } };\n`,
    );
    const error = await loadError({ cwd: directory });
    expect(error.code).toBe("invalid_config");
    expect(error.file).toBe(join(directory, "switchboard.config.mjs"));
    expect(error.message).toContain(join(directory, "switchboard.config.mjs"));
    expect([...error.problems].sort()).toEqual([
      'channels.sms.marker: unknown key; did you mean "markers"?',
      'prot: unknown key; did you mean "port"?',
    ]);
  });

  it("suggests nested keys too, and names a misspelt required key rather than its absence", async () => {
    await write(
      "switchboard.config.mjs",
      `export default {
  policy: { mdoe: "burst" },
  webchat: { verfy: true },
  workers: { zzz: 1 },
  trustProxy: "10.0.0.0/8,127.0.0.1",
};
`,
    );
    const error = await loadError({ cwd: directory });
    expect(error.problems).toContain('policy.mdoe: unknown key; did you mean "mode"?');
    expect(error.problems).toContain('webchat.verfy: unknown key; did you mean "verify"?');
    expect(error.problems).toContainEqual(
      expect.stringMatching(/^workers\.zzz: unknown key; known keys: .*concurrency/),
    );
    expect(error.problems).toContainEqual(
      expect.stringMatching(/^trustProxy: .*\["10\.0\.0\.0\/8", "127\.0\.0\.1"\]/),
    );
    expect(error.problems.some((problem) => problem.startsWith("policy.mode"))).toBe(false);
  });

  it("refuses secrets in the file, naming the variable to use", async () => {
    await write(
      "switchboard.config.mjs",
      `export default {
  authToken: "0123456789abcdef0123456789abcdef",
  console: { token: "not-here-either" },
  database: "postgres://app:pa55word@db/switchboard",
};
`,
    );
    const error = await loadError({ cwd: directory });
    expect(error.problems).toEqual([
      "authToken: secrets do not belong in the config file; set TWILIO_AUTH_TOKEN in the environment instead",
      // Issue 11: the console token is a secret too.
      "console.token: secrets do not belong in the config file; set SWITCHBOARD_CONSOLE_TOKEN in the environment instead",
      "database: contains a password; put the connection string in DATABASE_URL instead",
    ]);
    expect(error.message).not.toContain("0123456789abcdef");
    expect(error.message).not.toContain("pa55word");
  });

  it("refuses credentials embedded in URLs and password parameters", async () => {
    await write(
      "switchboard.config.mjs",
      `export default {
  publicUrl: "https://admin:hunter2@bot.example.com",
  knowledge: "https://files.example.com/faq.md?token=abc123",
  database: "postgres://app@db/switchboard?sslpassword=s3cret",
};
`,
    );
    const error = await loadError({ cwd: directory });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        "publicUrl: contains credentials in its URL; keep it in the environment",
        "knowledge: contains a credential parameter; keep it in the environment",
        "database: contains sslpassword; put the connection string in DATABASE_URL instead",
      ]),
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("s3cret");
  });

  it("points Twilio settings to their environment variables", async () => {
    await write(
      "switchboard.config.mjs",
      `export default { accountSid: "AC0123456789abcdef0123456789abcdef" };\n`,
    );
    const error = await loadError({ cwd: directory });
    expect(error.problems).toEqual([
      "accountSid: unknown key; Twilio settings come from the environment (TWILIO_ACCOUNT_SID)",
    ]);
  });

  it("reports every bad value at once, each with its key", async () => {
    await write(
      "switchboard.config.mjs",
      `export default {
  agent: { answer() {} },
  port: 70000,
  publicUrl: "ftp://example.com",
  webhookPath: "twilio",
  workers: { concurrency: 0 },
  policy: { mode: "burst" },
  channels: { whatsapp: { template: { contentSid: "MG123" } } },
  handoffKeywords: "human",
  database: "mysql://db/x",
};
`,
    );
    const error = await loadError({ cwd: directory });
    const keys = error.problems.map((problem) => problem.split(":")[0]);
    expect(keys.sort()).toEqual(
      [
        "agent",
        "channels.whatsapp.template.contentSid",
        "database",
        "handoffKeywords",
        "policy.windowMs",
        "port",
        "publicUrl",
        "webhookPath",
        "workers.concurrency",
      ].sort(),
    );
    expect(error.problems.find((problem) => problem.startsWith("agent"))).toContain(
      'must be an Agent (an object with respond()) or "faq"',
    );
    expect(error.problems.find((problem) => problem.startsWith("database"))).toContain(
      'unsupported scheme "mysql:"',
    );
  });

  it("requires a default export that is an object", async () => {
    await write("a.mjs", "export const port = 3000;\n");
    await write("b.mjs", "export default [1, 2];\n");
    await write("c.mjs", "export default null;\n");
    expect((await loadError({ cwd: directory, path: "a.mjs" })).problems[0]).toContain(
      "has no default export",
    );
    expect((await loadError({ cwd: directory, path: "b.mjs" })).problems[0]).toContain(
      "got an array",
    );
    expect((await loadError({ cwd: directory, path: "c.mjs" })).problems[0]).toContain("got null");
  });

  it("reports a missing explicit file, a wrong extension and a file that throws", async () => {
    expect((await loadError({ cwd: directory, path: "missing.ts" })).problems).toEqual([
      "does not exist",
    ]);
    await write("settings.json", "{}");
    expect((await loadError({ cwd: directory, path: "settings.json" })).problems[0]).toContain(
      'extension ".json"',
    );
    await write("switchboard.config.mjs", 'throw new Error("exploded while loading");\n');
    const error = await loadError({ cwd: directory });
    expect(error.problems[0]).toBe("could not be imported: exploded while loading");
    expect((error.cause as Error).message).toBe("exploded while loading");
  });

  it("explains what to do when Node cannot import TypeScript", async () => {
    await write("switchboard.config.ts", "export default {};\n");
    const error = await loadError({ cwd: directory, typescript: false });
    expect(error.problems[0]).toContain("use Node 22.18 or later");
    expect(error.problems[0]).toContain("switchboard.config.mjs");
  });

  it("relies on a fact of this Node: it imports .ts files natively", async () => {
    await write("switchboard.config.ts", "const port: number = 4321;\nexport default { port };\n");
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--input-type=module",
      "--eval",
      `const m = await import(${JSON.stringify(join(directory, "switchboard.config.ts"))}); console.log(m.default.port, process.features.typescript);`,
    ]);
    expect(stdout.trim()).toBe("4321 strip");
  });
});
