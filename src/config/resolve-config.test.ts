import { describe, expect, it } from "vitest";
import type { Agent } from "../agents/types.js";
import { ConfigError } from "../errors.js";
import { resolveConfig } from "./resolve-config.js";
import { defineConfig } from "./switchboard-config.js";

const file = (
  config: Parameters<typeof defineConfig>[0],
  path = "/etc/bot/switchboard.config.ts",
) => ({
  path,
  config: defineConfig(config),
});

describe("resolveConfig", () => {
  it("uses defaults when nothing is given", () => {
    const resolved = resolveConfig({ env: {}, cwd: "/work" });
    expect(resolved).toMatchObject({
      agent: "faq",
      knowledge: undefined,
      port: 3000,
      host: "0.0.0.0",
      database: { kind: "sqlite", path: "/work/.switchboard/mailbox.db" },
      webhookPath: "/twilio/webhook",
      publicUrl: undefined,
      webhookUrl: undefined,
      consoleToken: undefined,
      sources: { port: "default", host: "default", database: "default" },
    });
  });

  it("takes the file over defaults, resolving its relative paths against the file's folder", () => {
    const agent: Agent = { respond: async () => ({ text: "hi" }) } as unknown as Agent;
    const resolved = resolveConfig({
      env: {},
      cwd: "/work",
      file: file({
        agent,
        knowledge: "faq.md",
        database: "data/mailbox.db",
        port: 8080,
        publicUrl: "https://bot.example.com/",
        webhookPath: "/hooks",
        console: { token: "from-file" },
        workers: { concurrency: 2 },
        policy: { mode: "burst", windowMs: 1500 },
      }),
    });
    expect(resolved.agent).toBe(agent);
    expect(resolved.knowledge).toBe("/etc/bot/faq.md");
    expect(resolved.database).toEqual({ kind: "sqlite", path: "/etc/bot/data/mailbox.db" });
    expect(resolved.port).toBe(8080);
    expect(resolved.publicUrl).toBe("https://bot.example.com");
    expect(resolved.webhookUrl).toBe("https://bot.example.com/hooks");
    expect(resolved.consoleToken).toBe("from-file");
    expect(resolved.workers).toEqual({ concurrency: 2 });
    expect(resolved.policy).toEqual({ mode: "burst", windowMs: 1500 });
    expect(resolved.sources).toMatchObject({ port: "file", database: "file", knowledge: "file" });
  });

  it("takes the environment over the file, and flags over both", () => {
    const configFile = file({
      port: 8080,
      host: "127.0.0.1",
      database: "file.db",
      publicUrl: "https://file.example.com",
      console: { token: "from-file" },
    });
    const env = {
      PORT: "9090",
      HOST: "::",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
      SWITCHBOARD_PUBLIC_URL: "https://env.example.com/base",
      SWITCHBOARD_CONSOLE_TOKEN: "from-env",
    };
    const fromEnv = resolveConfig({ env, cwd: "/work", file: configFile });
    expect(fromEnv).toMatchObject({
      port: 9090,
      host: "::",
      database: { kind: "postgres", connectionString: env.DATABASE_URL },
      webhookUrl: "https://env.example.com/base/twilio/webhook",
      consoleToken: "from-env",
      sources: { port: "env", host: "env", database: "env", publicUrl: "env", consoleToken: "env" },
    });

    const fromFlags = resolveConfig({
      env,
      cwd: "/work",
      file: configFile,
      flags: {
        port: "7070",
        host: "localhost",
        database: "sqlite:flag.db",
        publicUrl: "https://flag.example.com",
        webhookPath: "/flag",
        knowledge: "kb.md",
      },
    });
    expect(fromFlags).toMatchObject({
      port: 7070,
      host: "localhost",
      database: { kind: "sqlite", path: "/work/flag.db" },
      webhookUrl: "https://flag.example.com/flag",
      knowledge: "/work/kb.md",
      sources: {
        port: "flag",
        host: "flag",
        database: "flag",
        publicUrl: "flag",
        webhookPath: "flag",
      },
    });
  });

  it("reads catch-up's REST budget from SWITCHBOARD_CATCH_UP_RPS, refusing a bad one by name", () => {
    expect(resolveConfig({ env: {}, cwd: "/work" }).catchUpRequestsPerSecond).toBeUndefined();
    expect(
      resolveConfig({ env: { SWITCHBOARD_CATCH_UP_RPS: "12" }, cwd: "/work" })
        .catchUpRequestsPerSecond,
    ).toBe(12);
    for (const bad of ["0", "1.5", "-3", "fast", "1001", "1e3"]) {
      const attempt = () => resolveConfig({ env: { SWITCHBOARD_CATCH_UP_RPS: bad }, cwd: "/work" });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/SWITCHBOARD_CATCH_UP_RPS must be a whole number/);
    }
  });

  it("treats empty environment variables as unset", () => {
    const resolved = resolveConfig({
      env: { PORT: "", DATABASE_URL: "  " },
      cwd: "/work",
      file: file({ port: 4000 }),
    });
    expect(resolved.port).toBe(4000);
    expect(resolved.sources.database).toBe("default");
  });

  it("names where a bad value came from", () => {
    const cases: [Parameters<typeof resolveConfig>[0], string, RegExp][] = [
      [{ env: { PORT: "80a" } }, "port", /^PORT must be a port number/],
      [{ env: {}, flags: { port: "-1" } }, "port", /^--port must be a port number/],
      [{ env: {}, flags: { port: 70_000 } }, "port", /^--port must be a port number/],
      [
        { env: { PORT: "9".repeat(500) } },
        "port",
        /^PORT must be a port number 0–65535, got "9{40}"\.$/,
      ],
      [{ env: { HOST: "a b" } }, "host", /^HOST is not a host name/],
      [
        { env: { DATABASE_URL: "mysql://x" } },
        "database",
        /^DATABASE_URL uses the unsupported scheme/,
      ],
      [
        { env: {}, flags: { database: ":memory:" } },
        "database",
        /^--database cannot be an in-memory/,
      ],
      [
        { env: { SWITCHBOARD_PUBLIC_URL: "bot.example.com" } },
        "publicUrl",
        /^SWITCHBOARD_PUBLIC_URL is not an absolute URL/,
      ],
      [{ env: { SWITCHBOARD_PUBLIC_URL: "ws://x" } }, "publicUrl", /must use http or https/],
      [{ env: { SWITCHBOARD_PUBLIC_URL: "https://x/?a=1" } }, "publicUrl", /without query/],
      [
        { env: {}, flags: { webhookPath: "hook" } },
        "webhookPath",
        /^--webhook-path must be a path/,
      ],
      [
        { env: {}, file: file({ port: 1.5 as number }, "/x/c.ts") },
        "port",
        /^port in \/x\/c\.ts must be a port number/,
      ],
    ];
    for (const [options, option, message] of cases) {
      let error: unknown;
      try {
        resolveConfig({ cwd: "/work", ...options });
      } catch (thrown) {
        error = thrown;
      }
      expect(error, String(message)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
      expect((error as ConfigError).message).toMatch(message);
    }
  });
});

describe("defineConfig", () => {
  it("returns its argument unchanged", () => {
    const config = { port: 1, channels: { sms: { markers: true } } };
    expect(defineConfig(config)).toBe(config);
  });
});
